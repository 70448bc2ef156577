package launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.testlib.Await;
import net.testlib.Background;
import net.testlib.Frames;
import net.testlib.OsgiTest;
import net.testlib.Pcap;
import net.testlib.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology page in a real headless Chromium, served by the packaged jar with {@code -http}: a
 * hub with two socket netdevs (one with a filter), frames sent into one and read from the other,
 * a NIC on the hub, and a stream server to connect to (its event goes to the page's log), the page
 * looked at
 * and clicked as a user would (DevTools protocol), its screenshot kept in
 * {@code target/screenshots/topology.png}.
 */
@OsgiTest
class TopologyPageIT {

    private static final Path JAR = Path.of(System.getProperty("patchbay.jar"));
    private static final Path SCREENSHOT = JAR.resolveSibling("screenshots").resolve("topology.png");
    private static final Duration STARTED = Duration.ofSeconds(60);
    /** A few of the runtime's 1 s sampling intervals and the page's 1 s ticks. */
    private static final Duration RATES = Duration.ofSeconds(15);
    /** 20 frames every 10 ms: 2000 frames/s of 300 bytes, far below what a hub relays. */
    private static final int BURST = 20;
    private static final int LENGTH = 300;

    @TempDir
    Path work;

    private Process patchbay;
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() throws InterruptedException {
        sender.shutdownNow();
        if (patchbay != null) {
            patchbay.destroyForcibly();
            patchbay.waitFor(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void showsTheTopologyLiveAndCutsALinkFromThePage() throws Exception {
        int portA = Ports.freeTcpPort();
        int portB = Ports.freeTcpPort();
        int portC = Ports.freeTcpPort();
        String url = start("-netdev", "socket,id=a,listen=127.0.0.1:" + portA,
                "-netdev", "socket,id=b,listen=127.0.0.1:" + portB,
                "-netdev", "hubport,id=ha,hubid=1,netdev=a",
                "-netdev", "hubport,id=hb,hubid=1,netdev=b",
                "-netdev", "stream,id=c,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=" + portC,
                "-netdev", "hubport,id=hn,hubid=1", "-device", "sink,id=n1,netdev=hn",
                "-object", "filter-dump,id=f0,netdev=b,file=" + work.resolve("b.pcap"));

        AtomicLong received = new AtomicLong();
        try (SocketChannel a = SocketChannel.open(new InetSocketAddress("127.0.0.1", portA));
                SocketChannel b = SocketChannel.open(new InetSocketAddress("127.0.0.1", portB));
                Chromium chromium = Chromium.start(work);
                // A page that never reads its events must hold up no other.
                Socket stuck = new Socket("127.0.0.1", URI.create(url).getPort())) {
            stuck.getOutputStream().write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Thread reader = Background.start(() -> count(b, received));
            sender.scheduleAtFixedRate(() -> send(a), 0, 10, TimeUnit.MILLISECONDS);

            chromium.navigate(url);
            // Every netdev and hubport is drawn, with the hub.
            Await.until(() -> chromium.evaluate("[...document.querySelectorAll('#graph .node')]"
                    + ".map(n => n.dataset.kind + ':' + n.dataset.node).sort().join(',')").asText()
                    .equals("hub:hub:1,hubport:ha,hubport:hb,hubport:hn,netdev:a,netdev:b,netdev:c,nic:n1"), STARTED, "the graph",
                    () -> html(chromium));
            // Filters are badges on their netdev.
            assertTrue(exists(chromium, "#graph .node[data-node=b] [data-filter=f0]"), () -> html(chromium));
            // A runtime event shows in the log at once, and redraws what it changed.
            try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", portC))) {
                Await.until(() -> chromium.evaluate("document.querySelector('#events li[data-event="
                        + "NETDEV_STREAM_CONNECTED]')?.textContent ?? ''").asText().contains("\"netdev-id\":\"c\""),
                        RATES, "NETDEV_STREAM_CONNECTED in the event log", () -> html(chromium));
            }
            // The busy edge (a's, to its hubport) shows a rate, and is drawn thicker than an idle one.
            Await.until(() -> fps(chromium, "a") > 500, RATES, "a non-zero rate on a's edge", () -> html(chromium));
            assertTrue(chromium.evaluate("document.querySelector('.edge[data-client=\"a\"]').textContent").asText()
                    .matches("(?s).*tx \\d.*k?f/s · .*b/s.*"), () -> html(chromium));
            assertTrue(chromium.evaluate("parseFloat(document.querySelector('.edge[data-client=\"a\"] polyline')"
                    + ".style.strokeWidth) > 4").asBoolean(), () -> html(chromium));

            // The NIC on the hub gets the flood: its edge has a rate too.
            Await.until(() -> fps(chromium, "n1") > 0, RATES, "a rate on the NIC's edge", () -> html(chromium));
            // The hub's totals under it.
            assertTrue(chromium.evaluate("document.querySelector('.hub-rate[data-hub=\"1\"]').textContent").asText()
                    .matches("[1-9][\\d.]* k?f/s in"), () -> html(chromium));

            // Clicking a netdev opens its panel with live counters, state and options.
            chromium.click("#graph .node[data-kind=netdev][data-node=a]");
            Await.until(() -> counter(chromium, "tx-frames") > 0, RATES, "a's counters in the panel",
                    () -> html(chromium));
            assertEquals("active", chromium.evaluate("document.querySelector('#panel [data-field=state]').textContent")
                    .asText());
            assertEquals("up", chromium.evaluate("document.querySelector('#panel [data-field=link]').textContent")
                    .asText());
            assertTrue(chromium.evaluate("document.getElementById('panel-body').textContent").asText()
                    .contains("127.0.0.1:" + portA));
            long first = counter(chromium, "tx-frames");
            Await.until(() -> counter(chromium, "tx-frames") > first, RATES, "the panel's counters growing");

            // A capture started and stopped from the page is a pcap download of a's frames.
            chromium.click("#capture-start");
            Await.until(() -> exists(chromium, "#capture-stop"), RATES, "the capture running", () -> html(chromium));
            chromium.click("#capture-stop");
            Await.until(() -> exists(chromium, "#capture-download"), RATES, "the capture's download",
                    () -> html(chromium));
            String href = chromium.evaluate("document.getElementById('capture-download').href").asText();
            HttpResponse<Path> pcap = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(href)).timeout(RATES).build(),
                    HttpResponse.BodyHandlers.ofFile(work.resolve("a.pcap")));
            assertEquals(200, pcap.statusCode());
            assertEquals("application/vnd.tcpdump.pcap", pcap.headers().firstValue("Content-Type").orElse(""));
            List<byte[]> captured = Pcap.frames(pcap.body());
            assertFalse(captured.isEmpty(), "no frames in the capture");
            assertEquals(LENGTH, captured.getFirst().length);

            chromium.screenshot(SCREENSHOT);
            byte[] png = Files.readAllBytes(SCREENSHOT);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
                    java.util.Arrays.copyOf(png, 8), "a PNG");
            ByteBuffer header = ByteBuffer.wrap(png, 16, 8);
            assertTrue(header.getInt() >= 800 && header.getInt() >= 600, "the window's size");
            assertTrue(png.length > 20_000, "a drawing, not a blank page: " + png.length + " bytes");

            // The link cut from the page: a's frames are dropped, none reach b any more.
            chromium.click("#link-toggle");
            Await.until(() -> chromium.evaluate("document.querySelector('#panel [data-field=link]').textContent")
                    .asText().equals("down"), RATES, "the panel showing the link down", () -> html(chromium));
            Await.until(() -> fps(chromium, "a") == 0 && drops(chromium, "a") > 0, RATES,
                    "a's edge at 0 frames/s, dropping", () -> html(chromium));
            long before = received.get();
            long tick = ticks(chromium);
            Await.until(() -> ticks(chromium) >= tick + 2, RATES, "two more ticks of the page");
            assertEquals(before, received.get(), "frames reached b with a's link down");

            // And back up from the page: they flow again.
            chromium.click("#link-toggle");
            Await.until(() -> received.get() > before && fps(chromium, "a") > 0, RATES, "frames flowing again",
                    () -> html(chromium));
            a.close();
            b.close();
            reader.join(STARTED.toMillis());
        }
    }

    /** Starts the packaged jar with these netdevs and {@code -http 127.0.0.1:0}; returns the page's URL. */
    private String start(String... netdevs) throws Exception {
        List<String> args = new ArrayList<>(List.of("--no-console", "-qmp", "none", "-http", "127.0.0.1:0"));
        args.addAll(List.of(netdevs));
        patchbay = new ProcessBuilder(LauncherIT.javaCommand(args.toArray(String[]::new)))
                .directory(work.toFile())
                .redirectOutput(work.resolve("out.txt").toFile())
                .redirectError(work.resolve("err.txt").toFile())
                .start();
        patchbay.getOutputStream().close();
        String[] url = new String[1];
        Await.until(() -> {
            assertTrue(patchbay.isAlive(), "patchbay exited; see " + work.resolve("err.txt"));
            url[0] = LauncherIT.pageUrl(Files.readAllLines(work.resolve("out.txt"))).orElse(null);
            return url[0] != null;
        }, STARTED, "the banner's page URL");
        return url[0];
    }

    /** The page's actions: POSTs of JSON only, same origin, names checked, errors in QEMU's words. */
    @Test
    void actionsArePostsOfJsonWithQemusErrors() throws Exception {
        String url = start("-netdev", "hubport,id=a,hubid=1");
        HttpClient http = HttpClient.newHttpClient();
        assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(url + "api/link")).timeout(RATES).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode(), "GET of an action");
        assertEquals(415, post(http, url + "api/link", "text/plain", null, "{\"name\": \"a\", \"up\": false}")
                .statusCode(), "a form's content type");
        assertEquals(403, post(http, url + "api/link", "application/json", "http://example.com",
                "{\"name\": \"a\", \"up\": false}").statusCode(), "another site's page");
        assertError(post(http, url + "api/link", "application/json", null, "{\"name\": \"nope\", \"up\": false}"),
                "{\"error\":{\"class\":\"DeviceNotFound\",\"desc\":\"Device 'nope' not found\"}}");
        assertError(post(http, url + "api/link", "application/json", null, "{\"name\": \"../x\", \"up\": false}"),
                "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'name' expects an identifier\"}}");
        assertError(post(http, url + "api/link", "application/json", null, "{\"name\": \"a\", \"up\": \"off\"}"),
                "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Invalid parameter type for 'up', expected: boolean\"}}");
        assertError(post(http, url + "api/capture/stop", "application/json", null, "{\"netdev\": \"a\"}"),
                "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Netdev 'a' is not being captured\"}}");
        HttpResponse<String> ok = post(http, url + "api/link", "application/json", url.replaceAll("/$", ""),
                "{\"name\": \"a\", \"up\": false}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("{}", ok.body());
        HttpResponse<String> client = http.send(HttpRequest.newBuilder(URI.create(url + "api/client?name=a"))
                .timeout(RATES).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(client.body().contains("\"link-up\":false"), client.body());
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(url + "nothing")).timeout(RATES).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    private static HttpResponse<String> post(HttpClient http, String url, String type, String origin, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(RATES)
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> response, String expected) {
        assertEquals(400, response.statusCode(), response.body());
        assertEquals(expected, response.body());
    }

    private static void send(SocketChannel a) {
        ByteBuffer burst = ByteBuffer.allocate(BURST * (4 + LENGTH));
        for (int i = 0; i < BURST; i++) {
            burst.putInt(LENGTH).put(Frames.testFrame(i, LENGTH));
        }
        burst.flip();
        try {
            while (burst.hasRemaining()) {
                a.write(burst);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads b's frames (QEMU's stream format: a big-endian length, the frame) until it closes. */
    private static void count(SocketChannel b, AtomicLong received) {
        try {
            DataInputStream in = new DataInputStream(Channels.newInputStream(b));
            while (true) {
                in.readFully(new byte[in.readInt()]);
                received.incrementAndGet();
            }
        } catch (IOException e) {
            // Closed at the end of the test.
        }
    }

    private static double fps(Chromium chromium, String client) throws Exception {
        return number(chromium, "document.querySelector('.edge[data-client=\"" + client + "\"]')?.dataset.fps");
    }

    private static double drops(Chromium chromium, String client) throws Exception {
        return number(chromium, "document.querySelector('.edge[data-client=\"" + client + "\"]')?.dataset.drops");
    }

    private static long counter(Chromium chromium, String name) throws Exception {
        return (long) number(chromium, "document.querySelector('#panel [data-counter=" + name + "]')?.textContent");
    }

    private static long ticks(Chromium chromium) throws Exception {
        return (long) number(chromium, "document.getElementById('summary').dataset.ticks");
    }

    private static boolean exists(Chromium chromium, String selector) throws Exception {
        return chromium.evaluate("document.querySelector('" + selector + "') !== null").asBoolean();
    }

    private static double number(Chromium chromium, String expression) throws Exception {
        return chromium.evaluate("Number(" + expression + " ?? 'NaN')").asDouble(Double.NaN);
    }

    private static String html(Chromium chromium) {
        try {
            return chromium.evaluate("document.body.outerHTML").asText();
        } catch (Exception | AssertionError e) {
            return "(page unreadable: " + e + ")";
        }
    }
}
