package net.backend.dump;

/** Arguments of {@code x-query-captures}: none. */
public record CaptureQueryArguments() {
}
