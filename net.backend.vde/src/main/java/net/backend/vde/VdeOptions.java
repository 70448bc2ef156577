package net.backend.vde;

/**
 * QEMU's {@code NetdevVdeOptions} ({@code -netdev vde,id=ID[,sock=DIR][,port=N][,group=G][,mode=M]}),
 * components in the schema's order so that errors come in QEMU's order. The numbers are strings
 * because QEMU takes them in any C base ({@code mode=0700} is octal, {@code mode=448} the same);
 * {@link net.driverkit.QemuNumbers} parses them with QEMU's messages.
 *
 * @param sock  the switch's directory (its control socket is {@code DIR/ctl}); default
 *              {@code /var/run/vde.ctl}, then {@code /tmp/vde.ctl}
 * @param port  uint16: the switch port to take; 0 (the default) lets the switch choose
 * @param group the group that may use the netdev's data socket
 * @param mode  uint16: the permissions of the netdev's data socket; default {@code 0700}
 */
public record VdeOptions(String sock, String port, String group, String mode) {
}
