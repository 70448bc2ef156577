package net.backend.user;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A runtime in a process of its own, for tests that must give libslirp a host configuration of
 * their own (a mount namespace with another {@code /etc/resolv.conf}): a tap named by the first
 * argument and a user netdev with the options of the third on hub 1. It writes the file named by
 * the second argument when both are up, and closes them when its standard input ends.
 */
public final class UserChildMain {

    private UserChildMain() {
    }

    public static void main(String[] args) throws Exception {
        try (Fixture fx = new Fixture()) {
            fx.netdev("tap,id=t,ifname=" + args[0] + ",script=no,downscript=no");
            fx.netdev("user,id=u" + (args.length > 2 ? args[2] : ""));
            fx.hub(1, "t", "u");
            Files.writeString(Path.of(args[1]), "up\n");
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }
}
