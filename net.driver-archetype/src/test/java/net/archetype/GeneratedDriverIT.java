package net.archetype;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.testlib.OsgiTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "done when", as a test: the driver project the archetype generated (and the
 * archetype's integration test built with a forked Maven on the JDK on PATH) is copied into the
 * {@code deploy/} folder of a running {@code patchbay.jar}, its type appears, and frames cross a
 * hub between two netdevs of that type. Removing the jar leaves the netdevs pending; putting it
 * back brings them back.
 */
@OsgiTest
class GeneratedDriverIT {

    /** The type archetype.properties of projects/udp gives the generated driver. */
    private static final String TYPE = "mywire";
    private static final Path JAR = Path.of(System.getProperty("patchbay.jar"));
    private static final Path GENERATED = Path.of(System.getProperty("patchbay.generated"));
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private Process patchbay;
    private Socket qmpSocket;
    private BufferedReader qmpIn;
    private Writer qmpOut;
    private int ids;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(work.resolve("deploy"));
        patchbay = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-jar", JAR.toString(),
                "--no-console", "-qmp", "tcp:127.0.0.1:0,server=on,wait=off")
                .directory(work.toFile())
                .redirectOutput(work.resolve("out.txt").toFile())
                .redirectError(work.resolve("err.txt").toFile())
                .start();
        patchbay.getOutputStream().close();
        String banner = await(() -> lines("out.txt").stream().filter(l -> l.contains("QMP on tcp:")).findFirst()
                .orElse(null), "the banner naming the QMP port");
        int port = Integer.parseInt(banner.replaceAll(".*QMP on tcp:127\\.0\\.0\\.1:(\\d+).*", "$1"));
        qmpSocket = new Socket("127.0.0.1", port);
        qmpSocket.setSoTimeout((int) WAIT.toMillis());
        qmpIn = new BufferedReader(new InputStreamReader(qmpSocket.getInputStream(), StandardCharsets.UTF_8));
        qmpOut = new OutputStreamWriter(qmpSocket.getOutputStream(), StandardCharsets.UTF_8);
        assertTrue(qmpIn.readLine().startsWith("{\"QMP\""), "greeting");
        qmp("qmp_capabilities", Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        if (qmpSocket != null) {
            qmpSocket.close();
        }
        if (patchbay != null && patchbay.isAlive()) {
            patchbay.destroy();
            if (!patchbay.waitFor(15, TimeUnit.SECONDS)) {
                patchbay.destroyForcibly();
                patchbay.waitFor(15, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theGeneratedDriverHotDeploysAndCarriesFrames() throws Exception {
        Path driver;
        try (Stream<Path> jars = Files.list(GENERATED.resolve("target"))) {
            driver = jars.filter(p -> p.toString().endsWith(".jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no jar in " + GENERATED.resolve("target")
                            + ": the archetype's integration test (projects/udp) did not build one"));
        }
        java.util.jar.Attributes manifest;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(driver.toFile())) {
            manifest = jar.getManifest().getMainAttributes();
        }
        assertTrue(manifest.getValue("Provide-Capability").contains("org.patchbay.net.driver"), manifest.toString());
        for (String header : List.of("Created-By", "Build-Jdk-Spec", "Build-Tool-Jdk-Spec", "Bnd-LastModified")) {
            assertEquals(null, manifest.getValue(header), header + " is a build machine's, not the driver's");
        }
        assertTrue(drivers().stream().noneMatch(TYPE::equals), "no " + TYPE + " before the jar is deployed");
        Path deployed = work.resolve("deploy").resolve(driver.getFileName());
        Files.copy(driver, deployed);
        await(() -> drivers().contains(TYPE) ? TYPE : null, TYPE + " in x-query-drivers");

        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket b = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            a.setSoTimeout((int) WAIT.toMillis());
            b.setSoTimeout((int) WAIT.toMillis());
            // a <-> w0 <-> hub 1 <-> w1 <-> b
            qmp("netdev_add", Map.of("type", TYPE, "id", "w0", "remote", "127.0.0.1:" + a.getLocalPort()));
            qmp("netdev_add", Map.of("type", TYPE, "id", "w1", "remote", "127.0.0.1:" + b.getLocalPort()));
            qmp("netdev_add", Map.of("type", "hubport", "id", "h0", "hubid", 1, "netdev", "w0"));
            qmp("netdev_add", Map.of("type", "hubport", "id", "h1", "hubid", 1, "netdev", "w1"));

            byte[] frame = frame(1);
            a.send(new DatagramPacket(frame, frame.length, InetAddress.getLoopbackAddress(), localPort("w0")));
            assertArrayEquals(frame, receive(b), "the frame crossed the hub from w0 to w1");
            assertEquals(1, counter("w0", "tx-frames"), "w0 read one frame from its wire");
            assertEquals(1, counter("w1", "rx-frames"), "w1 put one frame on its wire");

            // The jar leaves: both netdevs stay, pending. It comes back: they open again in place.
            Files.delete(deployed);
            await(() -> "pending".equals(netdev("w0").path("state").asText()) ? "" : null, "w0 pending");
            Files.copy(driver, deployed);
            await(() -> netdev("w1").path("info").asText().startsWith(TYPE + ":") ? "" : null, "w1 open again");
            byte[] again = frame(2);
            a.send(new DatagramPacket(again, again.length, InetAddress.getLoopbackAddress(), localPort("w0")));
            assertArrayEquals(again, receive(b), "frames cross again once the driver is back");
        }
        patchbay.destroy();
        assertTrue(patchbay.waitFor(15, TimeUnit.SECONDS), "SIGTERM did not stop patchbay");
        assertEquals(0, patchbay.exitValue(), "a clean stop exits 0; stderr:\n" + read("err.txt"));
        assertTrue(lines("err.txt").stream().noneMatch(l -> l.contains("Exception")), read("err.txt"));
    }

    private static byte[] receive(DatagramSocket socket) throws IOException {
        DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
        socket.receive(got);
        return Arrays.copyOf(got.getData(), got.getLength());
    }

    /** A broadcast frame of the minimum size, marked with {@code n}. */
    private static byte[] frame(int n) {
        byte[] frame = new byte[60];
        Arrays.fill(frame, 0, 6, (byte) 0xff);
        frame[6] = 0x02;
        frame[11] = (byte) n;
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xb5;
        frame[14] = (byte) n;
        return frame;
    }

    /** @return the port the netdev's socket is bound to, from its info string */
    private int localPort(String id) throws IOException {
        String info = netdev(id).path("info").asText();
        return Integer.parseInt(info.replaceAll(".* local=127\\.0\\.0\\.1:(\\d+) .*", "$1"));
    }

    private long counter(String id, String name) throws IOException {
        return netdev(id).path("counters").path(name).asLong();
    }

    private JsonNode netdev(String id) throws IOException {
        for (JsonNode client : qmp("x-query-netdevs", Map.of())) {
            if (id.equals(client.path("name").asText())) {
                return client;
            }
        }
        throw new AssertionError("no netdev " + id);
    }

    private List<String> drivers() throws IOException {
        List<String> types = new ArrayList<>();
        qmp("x-query-drivers", Map.of()).forEach(d -> types.add(d.path("type").asText()));
        return types;
    }

    /** Runs a QMP command and returns its {@code return}; events in between are skipped. */
    private JsonNode qmp(String command, Map<String, Object> arguments) throws IOException {
        int id = ++ids;
        qmpOut.write(JSON.writeValueAsString(Map.of("execute", command, "arguments", arguments, "id", id)) + "\n");
        qmpOut.flush();
        while (true) {
            String line = qmpIn.readLine();
            if (line == null) {
                fail("QMP closed during " + command + "; stderr:\n" + read("err.txt"));
            }
            JsonNode reply = JSON.readTree(line);
            if (reply.path("id").asInt(-1) != id) {
                continue;
            }
            if (reply.has("error")) {
                fail(command + " " + arguments + ": " + reply.path("error"));
            }
            return reply.path("return");
        }
    }

    private interface Probe<T> {
        T get() throws Exception;
    }

    /** Polls until the probe returns non-null, at most {@link #WAIT}, and fails with stderr if it never does. */
    private <T> T await(Probe<T> probe, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            if (!patchbay.isAlive()) {
                fail("patchbay exited (" + patchbay.exitValue() + ") waiting for " + what + ":\n" + read("err.txt"));
            }
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what + "; stderr:\n" + read("err.txt"));
            }
            Thread.sleep(50);
        }
    }

    private List<String> lines(String file) throws IOException {
        Path path = work.resolve(file);
        return Files.exists(path) ? Files.readAllLines(path) : List.of();
    }

    private String read(String file) {
        try {
            return String.join("\n", lines(file));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
