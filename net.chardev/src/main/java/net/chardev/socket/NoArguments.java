package net.chardev.socket;

/** A command without arguments. */
public record NoArguments() {
}
