package net.control.dto;

import java.util.List;
import java.util.Map;

/**
 * A netdev, hubport or NIC.
 *
 * @param name     the netdev id or NIC name
 * @param type     the netdev type or NIC model
 * @param kind     {@code netdev}, {@code hubport} or {@code nic}
 * @param state    {@code active}, {@code pending} (no driver now) or {@code failed} (the driver
 *                 refused the options; see {@code error})
 * @param error    why it is failed, else null
 * @param info     the backend's info string when active, else null
 * @param peer     the peer's name, or null
 * @param hub      the hub id of a hubport, else null
 * @param linkUp   the link state
 * @param options  the options it was created with, without {@code type} and {@code id}
 * @param counters its counters
 * @param filters  its filters, head first
 */
public record NetClientDTO(String name, String type, String kind, String state, String error, String info,
        String peer, Integer hub, boolean linkUp, Map<String, Object> options, CountersDTO counters,
        List<FilterDTO> filters) {
}
