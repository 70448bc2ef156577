package net.qmp.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's Jackson configuration, built once and shared by every connection (mappers are
 * thread-safe and cache their serializers, so no request pays for reflection twice).
 */
final class QmpJson {

    /**
     * Builds reply trees and binds third-party arguments with QMP's strict typing: no strings for
     * numbers or booleans, no numbers or booleans for strings, no fractions for integers. (QMP's
     * text is read by {@link QmpJsonParser} and written by {@link QmpJsonWriter}, as QEMU does.)
     */
    static final ObjectMapper MAPPER = strict(JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build());

    /**
     * Turns the runtime's DTO records into QAPI-style members ({@code link-up}, {@code rx-frames});
     * a time is ISO-8601 text ({@code 2026-12-07T00:01:02.345Z}), which JavaScript's {@code Date} reads.
     */
    static final ObjectMapper DTO = MAPPER.copy().setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .registerModule(new SimpleModule().addSerializer(Instant.class, ToStringSerializer.instance));

    private QmpJson() {
    }

    private static ObjectMapper strict(ObjectMapper mapper) {
        for (CoercionInputShape scalar : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(scalar, CoercionAction.Fail);
        }
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return mapper;
    }

    /**
     * Converts a JSON tree into the plain Java tree {@link net.control.NetControl} takes.
     *
     * @param node a JSON value
     * @return maps (member order kept), lists, strings, numbers, booleans or null
     */
    static Object toJava(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), toJava(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(e -> list.add(toJava(e)));
            return list;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.numberValue();
        }
        return null;
    }
}
