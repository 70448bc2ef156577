package net.backend.dump;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Arguments of {@code x-capture-stop}.
 *
 * @param id what {@code x-capture-start} returned
 */
public record CaptureStopArguments(@JsonProperty(required = true) String id) {
}
