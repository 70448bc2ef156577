package net.backend.vhostuser;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code -netdev vhost-user-backend,id=ID,chardev=CHARDEV[,queues=N]}: Patchbay as the vhost-user
 * back end a front end (QEMU's {@code -netdev vhost-user}) attaches to, over a socket chardev.
 *
 * @param chardev the socket chardev the front end connects to (or that connects to it); required
 * @param queues  int64: queue pairs offered (VHOST_USER_GET_QUEUE_NUM), 1 (the default) to 1024
 */
public record VhostUserBackendOptions(@JsonProperty(required = true) String chardev, Long queues) {
}
