package net.backend.user;

/**
 * The arguments of {@code x-hostfwd-add} and {@code x-hostfwd-remove}, HMP's {@code hostfwd_add
 * [netdev_id] RULE} and {@code hostfwd_remove [netdev_id] KEY}.
 *
 * @param netdev the user netdev's id; absent: the first one
 * @param rule   the rule ({@code hostfwd_add}) or its host side ({@code hostfwd_remove})
 */
public record HostfwdArguments(String netdev, String rule) {
}
