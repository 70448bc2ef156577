package net.chardev;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A chardev's front end: called on the loop it attached with, QEMU's chardev events and
 * read/write handlers. Calls never nest: none is made from inside a {@link ChardevPort} call.
 */
@ConsumerType
public interface ChardevHandler {

    /** A connection is up (QEMU's {@code CHR_EVENT_OPENED}); also right after attaching to a connected chardev. */
    void opened();

    /** The connection went away (QEMU's {@code CHR_EVENT_CLOSED}); bytes not yet written are gone. */
    void closed();

    /** Bytes wait: read them with {@link ChardevPort#read} until it returns 0 (or as many as the front end wants now). */
    void readable();

    /** A write that was cut short can go on: the connection takes bytes again. */
    void writable();
}
