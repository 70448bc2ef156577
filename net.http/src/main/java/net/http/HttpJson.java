package net.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;

/**
 * The bundle's Jackson configuration, built once: the runtime's DTO records with QAPI-style
 * member names ({@code link-up}, {@code rx-frames-per-second}), as net.qmp writes them for
 * {@code x-query-netdevs}, and times as ISO-8601 text.
 */
final class HttpJson {

    /** Writes DTOs and the page's replies; reads request bodies into plain maps. */
    static final ObjectMapper DTO = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .addModule(new SimpleModule("patchbay-http").addSerializer(Instant.class, ToStringSerializer.instance))
            .build();

    /** Binds the arguments of a third-party QMP command, whose records name members as QMP does. */
    static final ObjectMapper ARGUMENTS = JsonMapper.builder().build();

    private HttpJson() {
    }
}
