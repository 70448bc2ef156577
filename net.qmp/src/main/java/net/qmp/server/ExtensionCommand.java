package net.qmp.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collection;
import java.util.stream.Collectors;
import net.api.NetException;
import net.control.qmp.QmpCommand;

/**
 * Runs a third-party {@link QmpCommand}: binds {@code arguments} into its record with QMP's strict
 * typing and turns Jackson's complaints into QEMU's argument errors, then serialises the result.
 */
final class ExtensionCommand {

    private ExtensionCommand() {
    }

    /**
     * @param <A>       the command's argument record
     * @param command   the command
     * @param arguments the request's arguments
     * @return the {@code return} value; {@code {}} for null
     * @throws NetException the command's error, or an argument error before it runs
     */
    static <A> JsonNode execute(QmpCommand<A> command, ObjectNode arguments) throws NetException {
        A bound;
        try {
            bound = QmpJson.MAPPER.treeToValue(arguments, command.argumentsType());
        } catch (UnrecognizedPropertyException e) {
            throw QmpArguments.unexpected(e.getPropertyName());
        } catch (InvalidFormatException e) {
            if (e.getTargetType() != null && e.getTargetType().isEnum()) {
                // QEMU names the member without its path here.
                throw NetException.generic("Parameter '%s' does not accept value '%s'", last(e), e.getValue());
            }
            throw typeError(e);
        } catch (MismatchedInputException e) {
            if (e.getOriginalMessage().startsWith("Missing required creator property")) {
                throw NetException.generic("Parameter '%s' is missing", path(e));
            }
            throw typeError(e);
        } catch (JsonMappingException e) {
            // The record's own check refused the value; it says what it expects.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw NetException.generic("Parameter '%s' expects %s", path(e), cause.getMessage());
        } catch (InputCoercionException e) {
            // A JSON integer beyond the member's Java type: QEMU's range error, with its C type.
            String member = memberOf(e);
            Class<?> type = e.getTargetType();
            if (type == long.class || type == Long.class) {
                throw NetException.generic("Invalid parameter type for '%s', expected: integer", member);
            }
            throw NetException.generic("Parameter '%s' expects %s", member,
                    type == short.class || type == Short.class ? "int16_t"
                            : type == byte.class || type == Byte.class ? "int8_t" : "int32_t");
        } catch (JsonProcessingException e) {
            // a tree needs no parsing; nothing else is left to fail
            throw new IllegalStateException("binding a JSON tree failed unexpectedly", e);
        }
        Object result = command.execute(bound);
        return result == null ? QmpJson.MAPPER.createObjectNode() : QmpJson.MAPPER.valueToTree(result);
    }

    private static String memberOf(InputCoercionException e) {
        try {
            return ((JsonParser) e.getProcessor()).currentName();
        } catch (IOException notReading) {
            return "null";
        }
    }

    private static NetException typeError(MismatchedInputException e) {
        return NetException.generic("Invalid parameter type for '%s', expected: %s", path(e), word(e.getTargetType()));
    }

    private static String last(JsonMappingException e) {
        JsonMappingException.Reference r = e.getPath().getLast();
        return r.getFieldName() != null ? r.getFieldName() : "null";
    }

    /** The member's name, dotted for nested members (QEMU's full name). */
    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex()))
                .collect(Collectors.joining("."));
    }

    /** QMP's word for the JSON type a Java type is bound from. */
    private static String word(Class<?> type) {
        if (type == null) {
            return "object";
        }
        if (CharSequence.class.isAssignableFrom(type) || type.isEnum() || type == char.class || type == Character.class) {
            return "string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "boolean";
        }
        if (type == byte.class || type == short.class || type == int.class || type == long.class
                || type == Byte.class || type == Short.class || type == Integer.class || type == Long.class
                || type == java.math.BigInteger.class) {
            return "integer";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "number";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "array";
        }
        return "object";
    }
}
