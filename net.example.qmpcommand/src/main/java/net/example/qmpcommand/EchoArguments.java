package net.example.qmpcommand;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The arguments of {@code x-example-echo}.
 *
 * @param text what to echo back
 */
public record EchoArguments(@JsonProperty(required = true) String text) {
}
