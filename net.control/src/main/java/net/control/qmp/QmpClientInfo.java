package net.control.qmp;

import java.time.Instant;

/**
 * A connected QMP client.
 *
 * @param endpoint   the endpoint's address
 * @param peer       the client's address ({@code 127.0.0.1:53422}, or the socket path)
 * @param negotiated whether {@code qmp_capabilities} was done
 * @param since      when it connected
 * @param commands   commands executed so far
 */
public record QmpClientInfo(String endpoint, String peer, boolean negotiated, Instant since, long commands) {
}
