package net.backend.dump;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Arguments of {@code x-capture-start}.
 *
 * @param netdev the netdev to record
 * @param file   the capture file (an existing named pipe works too)
 * @param maxlen the snap length; 65536 when absent
 */
public record CaptureStartArguments(@JsonProperty(required = true) String netdev,
        @JsonProperty(required = true) String file, Long maxlen) {
}
