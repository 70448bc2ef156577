package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.inject.Inject;
import net.control.NetControl;
import net.control.QemuOptions;
import net.control.Section;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * {@code /metrics} of net.http on Felix HTTP, scraped over HTTP while UDP frames cross hub 1
 * between two socket netdevs ({@code s1 -> h1 -> hub 1 -> h2 -> s2}): it equals
 * {@code x-query-netdevs} once the frames stopped, passes {@code promtool check metrics}, follows
 * {@code netdev_del}, gives a real Prometheus server its rates, and the HTTP bundles stopped and
 * started again under traffic lose no frame.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class MetricsTest {

    private static final int FRAMES = 2000;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A name with a double quote, a backslash and a newline. */
    private static final String ODD = "net.netdev-a \"b\\c\nd.cfg";

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Configuration
    public Option[] config() {
        return Provisioning.http();
    }

    @Test
    public void metricsEqualXQueryNetdevsAndFollowNetdevDel() throws Exception {
        Provisioning.startDriver(context, control, Provisioning.SOCKET, "socket");
        Provisioning.startHttp(context);
        try (UdpFlow flow = new UdpFlow(); QmpEndpoint qmp = QmpEndpoint.open(context, "tcp:127.0.0.1:0");
                QmpClient client = QmpClient.connect(qmp.port())) {
            client.negotiate();
            int s1 = hub(flow);
            // s3 is on no hub: what it reads from its wire has no peer to go to.
            int s3 = freeUdpPort();
            control.add(Section.NETDEV, QemuOptions.parse("socket,id=s3,udp=127.0.0.1:" + flow.senderPort()
                    + ",localaddr=127.0.0.1:" + s3, "type"));
            // n1, a NIC on hub 1, takes its copy of every frame.
            Provisioning.startDriver(context, control, Provisioning.NIC, "sink");
            control.add(Section.NETDEV, QemuOptions.parse("hubport,id=h3,hubid=1", "type"));
            control.add(Section.DEVICE, HubTopology.args("driver", "sink", "id", "n1", "netdev", "h3"));
            // A netdev file the runtime keeps nothing of is listed under the file's name, which
            // may hold anything a label value must escape.
            control.declareRefused(ODD, Map.of("type", "socket"), "Parameter 'id' is missing");
            // A capture on s2, pending: its bundle is not installed.
            control.declare(Section.OBJECT, HubTopology.args("qom-type", "filter-dump", "id", "f1", "netdev", "s2",
                    "file", "f1.pcap"));
            URI base = Metrics.awaitEndpoint(context);

            flow.start(s1, FRAMES, Duration.ofSeconds(30));
            long before = -1;
            int during = 0;
            while (flow.sending()) {
                long now = (long) Metrics.scrape(base).value("patchbay_netdev_rx_frames_total", s2Labels());
                assertTrue("s2's rx frames only grow: " + before + " then " + now, now >= before);
                before = now;
                during++;
            }
            flow.awaitSent();
            Await.await("all " + FRAMES + " frames at s2's remote (" + flow.received() + ")",
                    () -> flow.received() == FRAMES);
            assertTrue("scrapes while frames flowed: " + during, during > 1);
            flow.start(s3, 10, Duration.ofSeconds(10));
            flow.awaitSent();
            Await.await("s3's 10 frames lost for want of a peer", () -> Long.valueOf(10).equals(
                    control.client("s3").counters().drops().get("no-peer")));

            Metrics metrics = Metrics.scrape(base);
            JsonNode netdevs = client.execute("x-query-netdevs", null).get("return");
            assertEqualsQuery(metrics, netdevs);
            String text = metrics.text();
            // For a reader of the test's output: what a scrape of this network looks like.
            Files.writeString(Path.of("target", "metrics-sample.txt"), text);
            assertLine(text, "patchbay_netdev_tx_frames_total{netdev=\"s1\",type=\"socket\",hub=\"1\"} " + FRAMES);
            assertLine(text, "patchbay_netdev_rx_frames_total{netdev=\"s2\",type=\"socket\",hub=\"1\"} " + FRAMES);
            assertLine(text, "patchbay_netdev_rx_frames_total{netdev=\"h1\",type=\"hubport\",hub=\"1\"} " + FRAMES);
            assertLine(text, "patchbay_netdev_tx_frames_total{netdev=\"s3\",type=\"socket\"} 0");
            assertLine(text, "patchbay_netdev_dropped_frames_total{netdev=\"s3\",type=\"socket\",reason=\"no-peer\"} 10");
            assertLine(text, "patchbay_netdev_link_up{netdev=\"s1\",type=\"socket\",hub=\"1\"} 1");
            assertLine(text, "patchbay_netdev_state{netdev=\"s1\",type=\"socket\",hub=\"1\",state=\"active\"} 1");
            assertLine(text, "patchbay_netdev_state{netdev=\"s1\",type=\"socket\",hub=\"1\",state=\"failed\"} 0");
            assertLine(text, "patchbay_netdev_info{netdev=\"s1\",type=\"socket\",hub=\"1\",kind=\"netdev\",peer=\"h1\"} 1");
            assertLine(text, "patchbay_netdev_rx_frames_total{nic=\"n1\",type=\"sink\",hub=\"1\"} " + FRAMES);
            assertLine(text, "patchbay_netdev_info{nic=\"n1\",type=\"sink\",hub=\"1\",kind=\"nic\",peer=\"h3\"} 1");
            assertLine(text, "patchbay_netdev_state{netdev=\"net.netdev-a \\\"b\\\\c\\nd.cfg\",type=\"socket\","
                    + "state=\"failed\"} 1");
            assertEquals("the name read back", 1, metrics.value("patchbay_netdev_state",
                    Map.of("netdev", ODD, "type", "socket", "state", "failed")), 0);
            assertLine(text, "patchbay_filter_state{filter=\"f1\",type=\"filter-dump\",netdev=\"s2\",state=\"pending\"} 1");
            assertLine(text, "patchbay_filter_on{filter=\"f1\",type=\"filter-dump\",netdev=\"s2\"} 1");
            assertLine(text, "patchbay_hub_rx_frames_total{hub=\"1\"} " + FRAMES);
            assertLine(text, "patchbay_hub_tx_frames_total{hub=\"1\"} " + 2 * FRAMES);
            assertLine(text, "patchbay_hub_ports{hub=\"1\"} 3");
            assertLine(text, "patchbay_qmp_clients 1");
            assertTrue("the loops handed on every frame: " + text,
                    sum(metrics, "patchbay_event_loop_frames_total") >= 3 * FRAMES);
            assertTrue("the loops were busy: " + text, sum(metrics, "patchbay_event_loop_busy_seconds_total") > 0);
            assertTrue("the loops woke up: " + text, sum(metrics, "patchbay_event_loop_iterations_total") > 0);
            promtoolCheck(text);

            JsonNode deleted = client.execute("netdev_del", Map.of("id", "s2"));
            assertTrue("netdev_del s2: " + deleted, deleted.has("return"));
            Metrics after = Metrics.scrape(base);
            assertFalse("s2 and its filter are gone from /metrics:\n" + after.text(), after.anyLabelled("netdev", "s2"));
            assertLine(after.text(), "patchbay_netdev_info{netdev=\"h2\",type=\"hubport\",hub=\"1\",kind=\"hubport\"} 1");
            assertEqualsQuery(after, client.execute("x-query-netdevs", null).get("return"));
        }
    }

    @Test
    public void prometheusScrapesItAndRatesFrames() throws Exception {
        Path prometheus = require("prometheus");
        Provisioning.startDriver(context, control, Provisioning.SOCKET, "socket");
        Provisioning.startHttp(context);
        Path dir = Files.createTempDirectory("patchbay-prometheus");
        Process server = null;
        try (UdpFlow flow = new UdpFlow()) {
            int s1 = hub(flow);
            URI base = Metrics.awaitEndpoint(context);
            int port = freePort();
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: patchbay
                        static_configs:
                          - targets: ['%s:%d']
                    """.formatted(base.getHost(), base.getPort()));
            server = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            flow.start(s1, Long.MAX_VALUE, Duration.ofSeconds(60));
            String query = "rate(patchbay_netdev_rx_frames_total{netdev=\"s2\",type=\"socket\",hub=\"1\"}[5s])";
            URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                    + URLEncoder.encode(query, StandardCharsets.UTF_8));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Await.TIMEOUT).build();
            double[] rate = {0};
            Process running = server;
            Await.await(Duration.ofSeconds(30), "Prometheus to see s2's rate > 0 (" + query + ")", () -> {
                assertTrue("prometheus exited: " + log(dir), running.isAlive());
                HttpResponse<String> answer;
                try {
                    answer = http.send(HttpRequest.newBuilder(uri).timeout(Await.TIMEOUT).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (java.net.ConnectException e) {
                    return false;
                }
                JsonNode result = JSON.readTree(answer.body()).path("data").path("result");
                if (result.isEmpty()) {
                    return false;
                }
                rate[0] = Double.parseDouble(result.get(0).path("value").get(1).asText());
                return rate[0] > 0;
            });
            flow.stopSending();
            // The sender's pace is about 2000 frames a second; a second's frames at least, fewer than 5000.
            assertTrue("rate " + rate[0], rate[0] > 100 && rate[0] < 5000);
        } finally {
            if (server != null) {
                server.destroy();
                if (!server.waitFor(10, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    public void httpBundlesStoppedAndStartedUnderTrafficLoseNoFrame() throws Exception {
        Provisioning.startDriver(context, control, Provisioning.SOCKET, "socket");
        Provisioning.startHttp(context);
        Bundle http = bundle(Provisioning.HTTP);
        Bundle jetty = bundle(Provisioning.JETTY);
        try (UdpFlow flow = new UdpFlow()) {
            int s1 = hub(flow);
            URI base = Metrics.awaitEndpoint(context);
            Metrics.scrape(base);
            flow.start(s1, Long.MAX_VALUE, Duration.ofSeconds(60));
            Await.await("frames to flow", () -> flow.received() > 0);

            http.stop();
            assertEquals("GET /metrics without net.http", 404, Metrics.status(base));
            long received = flow.received();
            Await.await("frames to flow without net.http", () -> flow.received() > received);
            http.start();
            Metrics.scrape(Metrics.awaitEndpoint(context));

            jetty.stop();
            assertEquals("GET /metrics without Felix HTTP", -1, Metrics.status(base));
            long later = flow.received();
            Await.await("frames to flow without Felix HTTP", () -> flow.received() > later);
            jetty.start();
            URI again = Metrics.awaitEndpoint(context);
            Metrics.scrape(again);
            long last = flow.received();
            Await.await("frames to flow after", () -> flow.received() > last);
            assertTrue("the frames were still flowing", flow.sending());

            flow.stopSending();
            long sent = flow.sent();
            Await.await("all " + sent + " frames at s2's remote (" + flow.received() + ")",
                    () -> flow.received() == sent);
            Metrics metrics = Metrics.scrape(again);
            assertEquals(sent, metrics.value("patchbay_netdev_rx_frames_total", s2Labels()), 0);
            assertEquals("frames dropped:\n" + metrics.text(), 0,
                    sum(metrics, "patchbay_netdev_dropped_frames_total"), 0);
            // Nothing more came after the count was reached.
            assertEquals("frames received, all sent", sent, flow.received());
        }
    }

    /**
     * Adds {@code s1 -> h1 -> hub 1 -> h2 -> s2}: s1 takes the flow's frames, s2 sends them to the
     * flow's receiver.
     *
     * @return s1's local port, where the flow sends
     */
    private int hub(UdpFlow flow) throws Exception {
        int s1 = freeUdpPort();
        control.add(Section.NETDEV, QemuOptions.parse("socket,id=s1,udp=127.0.0.1:" + flow.senderPort()
                + ",localaddr=127.0.0.1:" + s1, "type"));
        control.add(Section.NETDEV, QemuOptions.parse("socket,id=s2,udp=127.0.0.1:" + flow.receiverPort()
                + ",localaddr=127.0.0.1:" + freeUdpPort(), "type"));
        control.add(Section.NETDEV, QemuOptions.parse("hubport,id=h1,hubid=1,netdev=s1", "type"));
        control.add(Section.NETDEV, QemuOptions.parse("hubport,id=h2,hubid=1,netdev=s2", "type"));
        return s1;
    }

    private static Map<String, String> s2Labels() {
        return Map.of("netdev", "s2", "type", "socket", "hub", "1");
    }

    /**
     * Every netdev, hubport and NIC x-query-netdevs lists has its counters in /metrics (a NIC
     * labelled nic=), and nothing else is there.
     */
    private static void assertEqualsQuery(Metrics metrics, JsonNode netdevs) {
        assertEquals("netdevs in x-query-netdevs and in /metrics:\n" + netdevs + "\n" + metrics.text(),
                netdevs.size(), metrics.of("patchbay_netdev_rx_frames_total").size());
        for (JsonNode netdev : netdevs) {
            String name = netdev.get("name").asText();
            String label = netdev.get("kind").asText().equals("nic") ? "nic" : "netdev";
            JsonNode counters = netdev.get("counters");
            for (String counter : List.of("rx-frames", "tx-frames", "rx-bytes", "tx-bytes")) {
                String metric = "patchbay_netdev_" + counter.replace('-', '_') + "_total";
                List<Metrics.Sample> samples = metrics.of(metric).stream()
                        .filter(s -> name.equals(s.labels().get(label))).toList();
                assertEquals(metric + " of " + name + ":\n" + metrics.text(), 1, samples.size());
                assertEquals(metric + " of " + name + " equals x-query-netdevs' " + counter,
                        counters.get(counter).asLong(), (long) samples.getFirst().value());
            }
        }
    }

    private static void assertLine(String text, String line) {
        assertTrue("a line " + line + " in\n" + text, text.contains("\n" + line + "\n"));
    }

    private static double sum(Metrics metrics, String name) {
        return metrics.of(name).stream().mapToDouble(Metrics.Sample::value).sum();
    }

    /** {@code promtool check metrics}: the format and Prometheus' naming conventions. */
    private static void promtoolCheck(String text) throws Exception {
        Process p = new ProcessBuilder(require("promtool").toString(), "check", "metrics")
                .redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (InputStream out = p.getInputStream()) {
            out.transferTo(output);
        }
        assertTrue("promtool ended", p.waitFor(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals("promtool check metrics: " + output, 0, p.exitValue());
        assertEquals("promtool's findings", "", output.toString(StandardCharsets.UTF_8));
    }

    /** @return the program from Debian's prometheus package; fails in one line when it is missing */
    private static Path require(String program) {
        Path path = Path.of("/usr/bin", program);
        if (!Files.isExecutable(path)) {
            throw new AssertionError(program + " not found: install the Debian package prometheus (./test installs it)");
        }
        return path;
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    private static String log(Path dir) throws IOException {
        return Files.readString(dir.resolve("prometheus.log"));
    }

    /** @return a TCP port free on 127.0.0.1 now */
    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** @return a UDP port free on 127.0.0.1 now, for a socket netdev's localaddr */
    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
