package net.api;

/** QEMU's QMP error classes ({@code ErrorClass} in qapi/common.json), spelled as on the wire. */
public enum ErrorClass {
    /** Almost every error. */
    GenericError,
    /** An unknown command, or a command used before capabilities negotiation. */
    CommandNotFound,
    /** A device that exists but is not active. */
    DeviceNotActive,
    /** No device, netdev or client of that name. */
    DeviceNotFound,
    /** The accelerator lacks a capability (never raised by Patchbay; listed for completeness). */
    KVMMissingCap
}
