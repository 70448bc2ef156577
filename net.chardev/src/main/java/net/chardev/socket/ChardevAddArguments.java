package net.chardev.socket;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * The arguments of {@code chardev-add}.
 *
 * @param id      the new chardev's id
 * @param backend QEMU's {@code ChardevBackend}: {@code type} and {@code data}
 */
public record ChardevAddArguments(@JsonProperty(required = true) String id,
        @JsonProperty(required = true) Map<String, Object> backend) {
}
