package net.backend.dump;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Arguments of {@code x-capture-start}.
 *
 * @param netdev the netdev to record
 * @param file   the capture file (an existing named pipe works too), or {@code -} for a new named
 *               pipe in the temporary directory
 * @param maxlen the snap length; 65536 when absent
 * @param mode   for {@code -}: the pipe's mode as octal text ({@code "0640"}); 0600, or 0640 with
 *               a group, when absent
 * @param group  for {@code -}: the pipe's group, whose members may read it
 */
public record CaptureStartArguments(@JsonProperty(required = true) String netdev,
        @JsonProperty(required = true) String file, Long maxlen, String mode, String group) {
}
