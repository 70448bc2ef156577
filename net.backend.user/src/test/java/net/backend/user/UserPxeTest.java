package net.backend.user;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import net.testlib.Await;
import net.testlib.Host;
import net.testlib.Installed;
import net.testlib.Ports;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk-less QEMU PC boots from the network (iPXE) on a socket netdev joined by a hub to a
 * {@code user} netdev: libslirp's DHCP offers the {@code bootfile}, and the VM downloads it over
 * libslirp's TFTP, every block, as QEMU's own capture of the VM's traffic shows.
 */
@Timeout(120)
@QemuTest
class UserPxeTest {

    private static final String BOOTFILE = "patchbay.pxe";
    private static final int SIZE = 5000;

    private final Fixture fx = new Fixture();
    private Program qemu;
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        if (qemu != null) {
            qemu.close();
        }
        fx.close();
    }

    @Test
    void aPxeClientGetsTheBootfileOverSlirpsTftp() throws Exception {
        Installed.require("tshark");
        Path root = Files.createDirectory(dir.resolve("tftp"));
        byte[] image = new byte[SIZE];
        new Random(4).nextBytes(image);
        Files.write(root.resolve(BOOTFILE), image);
        int port = Ports.freeTcpPort();
        fx.netdev("socket,id=vm,listen=127.0.0.1:" + port);
        fx.netdev("user,id=u,tftp=" + root + ",bootfile=" + BOOTFILE);
        fx.hub(1, "vm", "u");

        Path pcap = dir.resolve("vm.pcap");
        Installed.require(Qemu.PXE_ROM);
        qemu = Qemu.start(dir, "pxe", List.of("-M", "pc", "-accel", "tcg", "-nodefaults", "-no-user-config",
                "-display", "none", "-m", "64", "-boot", "n",
                "-netdev", "socket,id=n0,connect=127.0.0.1:" + port,
                "-device", "e1000,netdev=n0,mac=" + Qemu.SOURCE_MAC,
                "-object", "filter-dump,id=f0,netdev=n0,file=" + pcap));
        // iPXE negotiates its block size (blksize), so the blocks are counted from the capture.
        Await.until(() -> Files.exists(pcap) && downloaded(pcap) == SIZE && acknowledged(pcap),
                java.time.Duration.ofSeconds(90), "the VM downloaded and acknowledged every TFTP block",
                () -> qemu.describe() + "\n" + capture(pcap));

        assertEquals(BOOTFILE, first(pcap, "dhcp.option.dhcp == 2", "dhcp.file"), "the DHCP offer's boot file");
        assertEquals("10.0.2.15", first(pcap, "dhcp.option.dhcp == 5", "dhcp.ip.your"), "the DHCP ack's address");
        assertEquals("10.0.2.2", first(pcap, "dhcp.option.dhcp == 5", "dhcp.option.router"), "the router");
        assertEquals(BOOTFILE, first(pcap, "tftp.opcode == 1", "tftp.source_file"), "the TFTP read request");
    }

    /** @return the bytes of distinct TFTP data blocks slirp sent */
    private static long downloaded(Path pcap) throws Exception {
        return blocks(pcap).values().stream().mapToLong(Integer::longValue).sum();
    }

    /** @return whether the VM acknowledged slirp's last data block */
    private static boolean acknowledged(Path pcap) throws Exception {
        int last = blocks(pcap).keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
        return tshark(pcap, "tftp.opcode == 4 && ip.src == 10.0.2.15", "tftp.block").lines()
                .anyMatch(l -> l.equals(String.valueOf(last)));
    }

    private static java.util.Map<Integer, Integer> blocks(Path pcap) throws Exception {
        java.util.Map<Integer, Integer> blocks = new java.util.TreeMap<>();
        Host.run(30, "tshark", "-r", pcap.toString(), "-Y", "tftp.opcode == 3 && ip.src == 10.0.2.2", "-T", "fields",
                "-e", "tftp.block", "-e", "data.len").output().lines().map(l -> l.split("\t"))
                .filter(f -> f.length == 2 && !f[1].isEmpty())
                .forEach(f -> blocks.put(Integer.parseInt(f[0]), Integer.parseInt(f[1])));
        return blocks;
    }

    private static String first(Path pcap, String filter, String field) throws Exception {
        return tshark(pcap, filter, field).lines().findFirst().orElse("");
    }

    private static String capture(Path pcap) {
        try {
            return Host.run(30, "tshark", "-r", pcap.toString()).output();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** @return the fields of the matching frames, one line each, tab-separated */
    private static String tshark(Path pcap, String filter, String... fields) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("tshark", "-r", pcap.toString(), "-Y", filter,
                "-T", "fields"));
        for (String field : fields) {
            command.add("-e");
            command.add(field);
        }
        // Host.run merges stderr, where tshark says it runs as root.
        return Host.run(30, command.toArray(String[]::new)).output().lines()
                .filter(l -> !l.startsWith("Running as user")).collect(java.util.stream.Collectors.joining("\n"));
    }
}
