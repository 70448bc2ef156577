package net.qmp.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
            throw NetException.generic("Invalid parameter '%s'", e.getPropertyName());
        } catch (MismatchedInputException e) {
            String member = path(e);
            if (e.getOriginalMessage().startsWith("Missing required creator property")) {
                throw NetException.generic("Parameter '%s' is missing", member);
            }
            throw NetException.generic("Invalid parameter type for '%s', expected: %s", member, word(e.getTargetType()));
        } catch (JsonMappingException e) {
            throw NetException.generic("Invalid parameter '%s': %s", path(e), e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            // a tree needs no parsing; this only satisfies treeToValue's signature
            throw NetException.generic("%s", e.getOriginalMessage());
        }
        Object result = command.execute(bound);
        return result == null ? QmpJson.MAPPER.createObjectNode() : QmpJson.MAPPER.valueToTree(result);
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
