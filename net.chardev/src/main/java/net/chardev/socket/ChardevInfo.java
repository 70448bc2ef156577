package net.chardev.socket;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One entry of {@code query-chardev}, QEMU's {@code ChardevInfo}.
 *
 * @param frontendOpen whether a front end is attached
 * @param filename     where it is connected, QEMU's form ({@code disconnected:unix:/p,server=on})
 * @param label        its id
 */
@JsonPropertyOrder({"frontend-open", "filename", "label"})
public record ChardevInfo(@JsonProperty("frontend-open") boolean frontendOpen, String filename, String label) {
}
