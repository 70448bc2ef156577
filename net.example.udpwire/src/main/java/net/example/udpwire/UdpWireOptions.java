package net.example.udpwire;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The options of {@code -netdev udpwire,id=ID,remote=HOST:PORT[,local=HOST:PORT]}. Components are
 * named as the option keys; the runtime binds the user's options into this record before
 * {@link UdpWireDriver#open} sees them, so unknown keys and a missing {@code remote} are rejected
 * with QEMU's messages without any code here.
 *
 * @param local  where the backend's socket is bound, {@code host:port}; default {@value #DEFAULT_LOCAL}
 *               (port 0: the kernel picks one, {@code info} shows which)
 * @param remote where frames are sent, {@code host:port}; required
 */
public record UdpWireOptions(String local, @JsonProperty(required = true) String remote) {

    /** The loopback address and a port the kernel chooses. */
    public static final String DEFAULT_LOCAL = "127.0.0.1:0";

    /** Applies the default of {@code local}. */
    public UdpWireOptions {
        if (local == null) {
            local = DEFAULT_LOCAL;
        }
    }
}
