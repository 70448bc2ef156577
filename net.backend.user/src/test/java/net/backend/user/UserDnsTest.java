package net.backend.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.testlib.Await;
import net.testlib.Host;
import net.testlib.Installed;
import net.testlib.KernelTest;
import net.testlib.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest's resolver is libslirp's 10.0.2.3, which forwards to the host's {@code /etc/resolv.conf}
 * resolver. The runtime runs in a mount namespace whose resolv.conf names 127.0.0.1, where this test
 * answers DNS: a name only this test knows resolves in the guest, so libslirp took a loopback
 * resolver as it is.
 */
@Timeout(90)
@KernelTest
class UserDnsTest {

    private static final String NAME = "patchbay-user.test";
    private static final String ADDRESS = "192.0.2.18";

    @TempDir
    Path dir;

    @Test
    void theGuestResolvesThroughSlirpsForwarderToTheHostsLoopbackResolver() throws Exception {
        Installed.require("unshare");
        List<String> asked = new CopyOnWriteArrayList<>();
        try (DatagramSocket dns = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 53));
                Netns ns = new Netns()) {
            Thread.ofVirtual().start(() -> answer(dns, asked));
            Path resolv = Files.writeString(dir.resolve("resolv.conf"), "nameserver 127.0.0.1\n");
            Path ready = dir.resolve("ready");
            String tap = Host.name("pbud");
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process child = new ProcessBuilder("unshare", "-m", "sh", "-c",
                    "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"", resolv.toString(), java,
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    UserChildMain.class.getName(), tap, ready.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            try {
                Await.until(() -> Files.exists(ready) || !child.isAlive(), "the child runtime is up");
                assertTrue(child.isAlive(), () -> read(dir.resolve("child.log")));
                assertEquals("10.0.2.3", Lease.take(ns, tap, dir).get("dns"));
                Host.Result r = Host.run(20, ns.exec("busybox", "nslookup", NAME, "10.0.2.3"));
                assertTrue(r.output().contains(ADDRESS), r.output());
                assertTrue(asked.contains(NAME), asked.toString());
            } finally {
                child.getOutputStream().close();
                if (!child.waitFor(20, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        }
    }

    /** A DNS server of one A record: the question comes back with the answer, or NXDOMAIN. */
    private static void answer(DatagramSocket socket, List<String> asked) {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                socket.receive(query);
                ByteBuffer q = ByteBuffer.wrap(buffer, 0, query.getLength());
                StringBuilder name = new StringBuilder();
                int at = 12;
                for (int len = buffer[at] & 0xff; len != 0; len = buffer[at] & 0xff) {
                    name.append(name.isEmpty() ? "" : ".").append(new String(buffer, at + 1, len,
                            java.nio.charset.StandardCharsets.US_ASCII));
                    at += len + 1;
                }
                int questionEnd = at + 5; // the root label, QTYPE, QCLASS
                int qtype = q.getShort(at + 1) & 0xffff;
                asked.add(name.toString());
                boolean known = name.toString().equals(NAME) && qtype == 1;
                ByteBuffer reply = ByteBuffer.allocate(questionEnd + 16);
                reply.put(buffer, 0, questionEnd);
                reply.putShort(2, (short) (0x8180 | (name.toString().equals(NAME) ? 0 : 3)));
                reply.putShort(6, (short) (known ? 1 : 0)); // ANCOUNT
                reply.putShort(8, (short) 0);
                reply.putShort(10, (short) 0);
                if (known) {
                    reply.putShort((short) 0xc00c).putShort((short) 1).putShort((short) 1).putInt(60)
                            .putShort((short) 4).put(InetAddress.getByName(ADDRESS).getAddress());
                }
                socket.send(new DatagramPacket(reply.array(), reply.position(), query.getSocketAddress()));
            } catch (Exception e) {
                return; // closed
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
