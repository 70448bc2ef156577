package net.control.dto;

import java.util.List;

/**
 * The topology, as {@code info network} shows it.
 *
 * @param hubs    hubs, newest first (QEMU's order)
 * @param clients every netdev, hubport and NIC, in creation order
 */
public record NetworkDTO(List<HubDTO> hubs, List<NetClientDTO> clients) {
}
