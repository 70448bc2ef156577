package net.backend.vhostuser;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code NetdevVhostUserOptions}
 * ({@code -netdev vhost-user,id=ID,chardev=CHARDEV[,vhostforce=on|off][,queues=N]}).
 *
 * @param chardev    the unix socket chardev the back end is reached through
 * @param vhostforce deprecated in QEMU and without effect there; accepted and ignored
 * @param queues     queue pairs, 1 to 1024; default 1
 */
public record VhostUserOptions(@JsonProperty(required = true) String chardev, Boolean vhostforce, Long queues) {
}
