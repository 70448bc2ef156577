package net.backend.socket;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code NetdevStreamOptions} ({@code -netdev stream,...}).
 *
 * @param addr        where to listen ({@code server=on}) or connect to
 * @param server      listen for one client at a time instead of connecting; default off
 * @param reconnect   client only: seconds between attempts to connect again (QEMU 8); 0 = never
 * @param reconnectMs client only: the same in milliseconds (QEMU 9.2)
 */
public record StreamOptions(@JsonProperty(required = true) SocketAddressOptions addr, Boolean server, Long reconnect,
        @JsonProperty("reconnect-ms") Long reconnectMs) {
}
