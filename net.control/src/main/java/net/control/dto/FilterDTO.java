package net.control.dto;

import java.util.Map;

/**
 * A netfilter object.
 *
 * @param id      the object id
 * @param type    the QOM type, e.g. {@code filter-dump}
 * @param netdev  the netdev it filters
 * @param queue   {@code all}, {@code rx} or {@code tx}
 * @param status  {@code on} or {@code off}
 * @param state   {@code active}, {@code pending} or {@code failed}
 * @param error   why it is failed, else null
 * @param info    the filter's own properties as text when active, else null
 * @param options the options it was created with, without {@code qom-type} and {@code id}
 * @param counters the open filter's own counters ({@code NetFilterContext#counter}), by name; empty
 *                 while it is not open
 */
public record FilterDTO(String id, String type, String netdev, String queue, String status, String state,
        String error, String info, Map<String, Object> options, Map<String, Long> counters) {
}
