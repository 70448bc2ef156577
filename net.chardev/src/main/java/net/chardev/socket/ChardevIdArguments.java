package net.chardev.socket;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The arguments of {@code chardev-remove}.
 *
 * @param id the chardev's id
 */
public record ChardevIdArguments(@JsonProperty(required = true) String id) {
}
