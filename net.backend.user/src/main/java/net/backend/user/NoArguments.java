package net.backend.user;

/** A command without arguments. */
public record NoArguments() {
}
