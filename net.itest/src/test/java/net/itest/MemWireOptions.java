package net.itest;

/** The {@code memwire} test type has no options of its own. */
public record MemWireOptions() {
}
