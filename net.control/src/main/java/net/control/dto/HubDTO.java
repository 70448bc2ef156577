package net.control.dto;

import java.util.List;

/**
 * A hub.
 *
 * @param id    the hub id ({@code hubid})
 * @param ports the names of its ports, newest first (QEMU's forwarding order)
 */
public record HubDTO(int id, List<String> ports) {
}
