package net.backend.user;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import net.testlib.Host;
import net.testlib.Netns;

/**
 * A tap moved into a namespace that configures itself with busybox's {@code udhcpc} from whatever
 * DHCP server is on the tap's hub: the lease's address, default route and resolver are applied and
 * recorded.
 */
final class Lease {

    private Lease() {
    }

    /**
     * @param ns    the namespace
     * @param tap   a tap of the root namespace
     * @param dir   a directory for the script and the record
     * @return what DHCP offered: {@code ip}, {@code mask}, {@code router}, {@code dns}, {@code boot_file}, ...
     */
    static Map<String, String> take(Netns ns, String tap, Path dir) throws Exception {
        Host.sh("ip", "link", "set", tap, "netns", ns.name);
        Host.sh("ip", "-n", ns.name, "link", "set", tap, "up");
        Path record = dir.resolve("lease-" + ns.name);
        Path resolv = dir.resolve("resolv-" + ns.name);
        Path script = Host.script(dir, "udhcpc-" + ns.name, """
                [ "$1" = bound ] || exit 0
                ip addr add "$ip/$mask" dev "$interface"
                ip route add default via "$router"
                echo "nameserver $dns" > %s
                env | grep -E '^(ip|mask|router|dns|domain|search|hostname|boot_file|siaddr|sname|tftp)=' > %s
                """.formatted(resolv, record));
        Host.Result r = Host.run(30, ns.exec("busybox", "udhcpc", "-i", tap, "-f", "-q", "-n", "-t", "10", "-T", "1",
                "-s", script.toString()));
        assertEquals(0, r.status(), r.output());
        Map<String, String> lease = new HashMap<>();
        for (String line : Files.readAllLines(record)) {
            int eq = line.indexOf('=');
            lease.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return lease;
    }
}
