package net.hub;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QAPI {@code NetdevHubPortOptions}.
 *
 * @param hubid  the hub to join
 * @param netdev an existing netdev to peer the port with (QEMU 2.12+)
 */
record HubPortOptions(@JsonProperty(required = true) Integer hubid, String netdev) {
}
