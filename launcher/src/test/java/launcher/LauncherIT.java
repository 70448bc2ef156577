package launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.Host;
import net.testlib.Installed;
import net.testlib.OsgiTest;
import net.testlib.Pcap;
import net.testlib.Ports;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import net.testlib.QmpUnixClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the built {@code patchbay.jar} as a process, with the JDK and flags the run script uses,
 * in a fresh working directory, and checks what it prints and how it exits.
 */
@OsgiTest
class LauncherIT {

    private static final Path JAR = Path.of(System.getProperty("patchbay.jar"));
    /** A driver bundle (type {@code udpwire}) that is not embedded in the jar. */
    private static final Path DRIVER = Path.of(System.getProperty("patchbay.test.driver"));
    private static final Duration EXIT = Duration.ofSeconds(60);
    private static final Duration STARTED = Duration.ofSeconds(60);
    private static final Duration STOPPED = Duration.ofSeconds(15);

    @TempDir
    Path work;

    private Process process;

    /** What a finished run printed. */
    private record Run(int code, List<String> out, List<String> err) {
    }

    @AfterEach
    void destroy() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private Process start(String... args) throws IOException {
        return start(javaCommand(args));
    }

    /** @return the topology page's URL from the banner's "Topology page at URL, ..." line, if printed */
    static java.util.Optional<String> pageUrl(List<String> out) {
        return out.stream().filter(l -> l.startsWith("Topology page at "))
                .map(l -> l.replaceAll("Topology page at (\\S+/),.*", "$1")).findFirst();
    }

    /** The run script's command line: this JDK, its flags, the jar. */
    static List<String> javaCommand(String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("--sun-misc-unsafe-memory-access=allow");
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(List.of(args));
        return command;
    }

    private Process start(List<String> command) throws IOException {
        return start(command, work);
    }

    private Process start(List<String> command, Path directory) throws IOException {
        process = new ProcessBuilder(command).directory(directory.toFile())
                .redirectOutput(work.resolve("out.txt").toFile())
                .redirectError(work.resolve("err.txt").toFile())
                .start();
        // A service gets no input: end of input at once.
        process.getOutputStream().close();
        return process;
    }

    private Run run(String... args) throws IOException, InterruptedException {
        Process p = start(args);
        assertTrue(p.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS), "patchbay did not exit");
        return new Run(p.exitValue(), lines("out.txt"), lines("err.txt"));
    }

    private List<String> lines(String file) throws IOException {
        return Files.readAllLines(work.resolve(file));
    }

    private static void assertOneErrorLine(String expected, Run run) {
        assertEquals(1, run.code(), "exit code");
        assertEquals(List.of(expected), run.err(), "stderr");
    }

    @Test
    void helpListsEveryOption() throws Exception {
        Run run = run("--help");
        assertEquals(0, run.code());
        String out = String.join("\n", run.out());
        for (String option : List.of("-netdev", "-net ", "-object", "-device", "-nic ", "--deploy", "--no-console",
                "--verbose", "--version", "--help")) {
            assertTrue(out.contains("  " + option), option + " in\n" + out);
        }
        assertTrue(out.contains("-netdev socket,id=s1,listen=127.0.0.1:11122 -netdev hubport,id=h1,hubid=1,netdev=s1"));
        assertEquals(List.of(), run.err());
    }

    @Test
    void versionComesFromTheJar() throws Exception {
        Run run = run("--version");
        assertEquals(0, run.code());
        assertEquals(1, run.out().size());
        assertTrue(run.out().get(0).matches("patchbay \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), run.out().get(0));
    }

    @Test
    void anUnknownOptionStopsBeforeAnythingStarts() throws Exception {
        assertOneErrorLine("patchbay: -monitor: invalid option", run("-monitor", "stdio"));
        assertFalse(Files.exists(work.resolve("deploy")), "nothing may start for a bad command line");
    }

    @Test
    void anOptionWithoutItsValue() throws Exception {
        assertOneErrorLine("patchbay: -netdev: requires an argument", run("--no-console", "-netdev"));
    }

    @Test
    void aDeployDirectoryThatCannotBeMade() throws Exception {
        Files.writeString(work.resolve("file"), "not a directory");
        assertOneErrorLine("patchbay: --deploy file/deploy: Not a directory",
                run("--no-console", "--deploy", "file/deploy"));
    }

    @Test
    void aDeployThatIsAFileIsOneLine() throws Exception {
        Files.writeString(work.resolve("deploy.cfg"), "type=hubport\nhubid=1\n");
        assertOneErrorLine("patchbay: --deploy deploy.cfg: Not a directory",
                run("--no-console", "--deploy", "deploy.cfg"));
    }

    @Test
    void aMissingDeployDirectoryIsCreatedAndTheBannerSaysSo() throws Exception {
        Process p = start("--no-console", "-qmp", "none", "--deploy", "new/deploy");
        Path deploy = work.resolve("new/deploy").toAbsolutePath().normalize();
        awaitBanner(p, "Created " + deploy + " and watching it for driver bundles");
        assertTrue(Files.isDirectory(deploy));
        stopCleanly(p);
        Process again = start("--no-console", "-qmp", "none", "--deploy", "new/deploy");
        awaitBanner(again, "running: ");
        assertTrue(lines("out.txt").contains("Watching " + deploy
                + " for driver bundles (*.jar) and netdev files (net.netdev-<id>.cfg)."), read("out.txt"));
        stopCleanly(again);
    }

    @Test
    void aFailedStartLeavesNoDeployDirectoryItMade() throws Exception {
        assertOneErrorLine("patchbay: -netdev hubport,id=h1: Parameter 'hubid' is missing",
                run("--no-console", "-qmp", "none", "-netdev", "hubport,id=h1"));
        assertFalse(Files.exists(work.resolve("deploy")), "an empty deploy directory left behind");
    }

    /** Two runtimes on one deploy directory would both apply its files: the second names the first. */
    @Test
    void aSecondPatchbayOnTheSameDeployDirectoryNamesTheFirst() throws Exception {
        Process first = start("--no-console", "-netdev", "hubport,id=h1,hubid=1");
        awaitBanner(first, "running: ");
        Process second = new ProcessBuilder(javaCommand("--no-console", "-qmp", "none")).directory(work.toFile())
                .redirectOutput(work.resolve("out2.txt").toFile())
                .redirectError(work.resolve("err2.txt").toFile())
                .start();
        try {
            second.getOutputStream().close();
            assertTrue(second.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS), "the second did not exit");
            assertEquals(1, second.exitValue());
            assertEquals(List.of("patchbay: --deploy deploy: in use by another Patchbay (pid " + first.pid()
                    + ", QMP unix:" + work.toRealPath().resolve("patchbay-qmp.sock")
                    + "); give each its own --deploy DIR"), lines("err2.txt"));
        } finally {
            second.destroyForcibly();
        }
        assertTrue(first.isAlive(), "the first one runs on");
        stopCleanly(first);
        // Its claim ends with it: the directory can be used again.
        Process third = start("--no-console", "-qmp", "none");
        awaitBanner(third, "running: ");
        stopCleanly(third);
    }

    @Test
    void aValueWithoutAType() throws Exception {
        assertOneErrorLine("patchbay: -netdev id=h1: Parameter 'type' is missing", run("-netdev", "id=h1"));
    }

    @Test
    void theRuntimesErrorNamesTheOption() throws Exception {
        assertOneErrorLine("patchbay: -netdev hubport,id=h1: Parameter 'hubid' is missing",
                run("--no-console", "-netdev", "hubport,id=h1"));
    }

    @Test
    void aTypeNoBundleProvidesIsAnErrorAtStartUp() throws Exception {
        assertOneErrorLine("patchbay: -netdev nosuch,id=x: Parameter 'type' does not accept value 'nosuch'",
                run("--no-console", "-netdev", "hubport,id=h1,hubid=1", "-netdev", "nosuch,id=x"));
        assertOneErrorLine("patchbay: -netdev netmap,id=x,ifname=a: network backend 'netmap' is not compiled into this binary",
                run("--no-console", "-netdev", "netmap,id=x,ifname=a"));
    }

    @Test
    void anObjectOrDeviceTypeNoBundleProvides() throws Exception {
        assertOneErrorLine("patchbay: -object filter-nosuch,id=f0,netdev=h1: Parameter 'qom-type' does not accept value "
                + "'filter-nosuch'",
                run("--no-console", "-object", "filter-nosuch,id=f0,netdev=h1"));
        assertOneErrorLine("patchbay: -device nosuch,netdev=h1: 'nosuch' is not a valid device model name",
                run("--no-console", "-device", "nosuch,netdev=h1"));
        assertOneErrorLine("patchbay: Unsupported NIC model: nosuch",
                run("--no-console", "-net", "nic,model=nosuch"));
        assertOneErrorLine("patchbay: -net hubport,hubid=1: network backend 'hubport' is only supported with -netdev/-nic",
                run("--no-console", "-net", "hubport,hubid=1"));
        assertOneErrorLine("patchbay: Unsupported NIC model: nosuch",
                run("--no-console", "-nic", "hubport,hubid=1,model=nosuch"));
        assertOneErrorLine("patchbay: -nic help: Parameter 'type' does not accept value 'help'",
                run("--no-console", "-nic", "help"));
        Run models = run("-nic", "hubport,hubid=1,model=help");
        assertEquals(0, models.code(), "stderr: " + models.err());
        assertEquals("Supported NIC models:", models.out().getFirst());
    }

    /** net.nic is in the jar: {@code -device help} lists its models, and one plugs into a hub port. */
    @Test
    void aNicModelOfTheJarIsListedAndPlugsIntoAHub() throws Exception {
        Run help = run("-device", "help");
        assertEquals(0, help.code());
        assertEquals("Network devices:", help.out().get(0));
        for (String model : List.of("dhcp-probe", "echo", "responder", "sink")) {
            assertTrue(help.out().contains("name \"" + model + "\""), model + " in " + help.out());
        }

        Process p = start("--no-console", "-qmp", "tcp:127.0.0.1:0,server=on,wait=off",
                "-netdev", "hubport,id=h1,hubid=1", "-device", "sink,netdev=h1");
        awaitBanner(p, "QMP on tcp:127.0.0.1:");
        String info = infoNetwork(qmpPort());
        assertTrue(info.contains("hub 1\\r\\n \\\\ h1: sink.0: index=0,type=nic,model=sink,macaddr=52:54:00:12:34:56\\r\\n"),
                info);
        stopCleanly(p);
    }

    @Test
    void aServiceSurvivesClosedInputAndStopsCleanlyOnSigterm() throws Exception {
        Process p = start("--no-console", "-netdev", "hubport,id=h1,hubid=1", "-netdev", "hubport,id=h2,hubid=1");
        awaitBanner(p, "running: 2 netdevs");
        // Its input ended long ago; it must still be serving.
        Thread.sleep(1000);
        assertTrue(p.isAlive(), "a closed stdin stopped the service");
        assertTrue(Files.isDirectory(work.resolve("deploy")), "the default deploy directory is created");
        assertTrue(Files.exists(work.resolve("patchbay-qmp.sock")), "QMP listens in the working directory by default");

        stopCleanly(p);
        List<String> err = lines("err.txt");
        assertTrue(err.stream().noneMatch(l -> l.startsWith("WARNING:")), "JDK warnings: " + err);
        assertTrue(err.stream().noneMatch(l -> l.contains("Exception")), "exceptions: " + err);
    }

    @Test
    void qmpOnTheCommandLineServesTheSameTopology() throws Exception {
        Process p = start("--no-console", "-netdev", "hubport,id=h1,hubid=1", "-qmp", "tcp:127.0.0.1:0,server=on,wait=off");
        awaitBanner(p, "QMP on tcp:127.0.0.1:");
        String banner = lines("out.txt").get(0);
        int port = Integer.parseInt(banner.replaceAll(".*QMP on tcp:127\\.0\\.0\\.1:(\\d+).*", "$1"));
        assertFalse(Files.exists(work.resolve("patchbay-qmp.sock")), "-qmp replaces the default endpoint");
        try (java.net.Socket qmp = new java.net.Socket("127.0.0.1", port)) {
            qmp.setSoTimeout((int) STARTED.toMillis());
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(qmp.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
            java.io.Writer out = new java.io.OutputStreamWriter(qmp.getOutputStream(), java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(in.readLine().startsWith("{\"QMP\""), "greeting");
            out.write("{\"execute\": \"qmp_capabilities\"}\n"
                    + "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info network\"}, \"id\": 2}\n");
            out.flush();
            assertEquals("{\"return\":{}}", in.readLine().replace(" ", ""));
            String info = in.readLine();
            assertTrue(info.contains("hub 1") && info.contains("h1"), info);
            assertTrue(info.replace(" ", "").contains("\"id\":2"), info);
        }
        stopCleanly(p);
    }

    /** -http serves /metrics where it says, the banner names the port it got, and stdout stays clean. */
    @Test
    void httpServesMetricsWhereTheBannerSays() throws Exception {
        Process p = start("--no-console", "-qmp", "none", "-netdev", "hubport,id=h1,hubid=1", "-http", "127.0.0.1:0");
        awaitBanner(p, "Topology page at http://127.0.0.1:");
        String url = pageUrl(lines("out.txt")).orElseThrow();
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> metrics = client.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "metrics")).timeout(STARTED).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                metrics.headers().toString());
        assertTrue(metrics.body().contains("patchbay_netdev_rx_frames_total{netdev=\"h1\",type=\"hubport\""),
                metrics.body());
        stopCleanly(p);
        // Jetty's own log must not reach stdout, where the banner and the console are.
        assertTrue(lines("out.txt").stream().noneMatch(l -> l.contains("DEBUG") || l.contains("INFO")),
                String.join("\n", lines("out.txt")));
        // The page's components start with the whiteboard: none of them may trouble the runtime's.
        assertTrue(lines("err.txt").stream().noneMatch(l -> l.contains("ERROR") || l.contains("WARN")),
                String.join("\n", lines("err.txt")));
    }

    /** Without -http nothing listens: Felix HTTP's default port 8080 stays untouched. */
    @Test
    void withoutHttpNothingListens() throws Exception {
        Process p = start("--no-console", "-qmp", "none", "-netdev", "hubport,id=h1,hubid=1");
        awaitBanner(p, "running: 1 netdev");
        assertTrue(lines("out.txt").stream().noneMatch(l -> l.contains("Topology page")), "banner names no page");
        assertEquals(List.of(), listeningTcpPorts(p.pid()), "TCP ports the process listens on");
        stopCleanly(p);
    }

    @Test
    void httpOptionErrorsAreOneLine() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertOneErrorLine("patchbay: -http 127.0.0.1:" + port + ": Address already in use",
                    run("--no-console", "-qmp", "none", "-http", "127.0.0.1:" + port));
        }
        assertOneErrorLine("patchbay: -http 8080: expects HOST:PORT, e.g. 127.0.0.1:8080", run("-http", "8080"));
        assertOneErrorLine("patchbay: -http 127.0.0.1:http: port must be a number from 0 to 65535",
                run("-http", "127.0.0.1:http"));
        assertOneErrorLine("patchbay: -http 0.0.0.0:8080: 0.0.0.0 is not a loopback address, needs remote=on"
                + " (the page is unauthenticated)", run("-http", "0.0.0.0:8080"));
        assertOneErrorLine("patchbay: -http 127.0.0.1:8080,tls=on: invalid option 'tls=on' (expects HOST:PORT[,remote=on])",
                run("-http", "127.0.0.1:8080,tls=on"));
    }

    /** The TCP ports in state LISTEN whose sockets the process holds, from /proc. */
    private static List<Integer> listeningTcpPorts(long pid) throws IOException {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        List<Integer> ports = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table)).subList(1, Files.readAllLines(Path.of(table)).size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    ports.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }

    /** QEMU's -qmp forms: without server=on it connects out, an empty host listens everywhere (warned). */
    @Test
    void qmpConnectsOutWithoutServerOnAndAnEmptyHostListensEverywhere() throws Exception {
        int refused = Ports.freeTcpPort();
        // qemu-system-x86_64 -M none -nodefaults -qmp tcp:127.0.0.1:P prints the same after its name.
        assertOneErrorLine("patchbay: -qmp tcp:127.0.0.1:" + refused + ": Failed to connect to '127.0.0.1:" + refused
                + "': Connection refused", run("--no-console", "-qmp", "tcp:127.0.0.1:" + refused));
        try (java.nio.channels.ServerSocketChannel tool = java.nio.channels.ServerSocketChannel.open()) {
            tool.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            int port = ((java.net.InetSocketAddress) tool.getLocalAddress()).getPort();
            Process p = start("--no-console", "-qmp", "tcp:127.0.0.1:" + port, "-qmp", "tcp::0,server=on,wait=off");
            tool.socket().setSoTimeout((int) STARTED.toMillis());
            try (java.net.Socket monitor = tool.socket().accept()) {
                monitor.setSoTimeout((int) STARTED.toMillis());
                java.io.BufferedReader in = new java.io.BufferedReader(
                        new java.io.InputStreamReader(monitor.getInputStream(), StandardCharsets.US_ASCII));
                assertTrue(in.readLine().startsWith("{\"QMP\""), "greeting");
            }
            awaitBanner(p, "running: ");
            assertTrue(lines("err.txt").stream().anyMatch(l -> l.matches(
                    ".*QMP endpoint tcp:(\\[::]|0\\.0\\.0\\.0):\\d+ is open to other hosts: QMP is unauthenticated.*")),
                    read("err.txt"));
            stopCleanly(p);
        }
    }

    /**
     * As QEMU 7.2 on SIGTERM or SIGINT: every negotiated QMP client gets {@code SHUTDOWN} (reason
     * {@code host-signal}) before the connection closes. Everything after the negotiation must be
     * QEMU's bytes, the timestamp's numbers aside.
     */
    @QemuTest
    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalSendsQemusShutdownEventToQmpClients(String signal) throws Exception {
        Installed.require(Qemu.BINARY);
        Path qemuSocket = work.resolve("qemu-qmp.sock");
        String qemuSaw;
        try (Program qemu = Qemu.startWithQmp(work, "qemu", qemuSocket)) {
            qemuSaw = afterSignal(qemuSocket, qemu.process(), signal);
            assertEquals(0, qemu.await(STOPPED.toSeconds()), qemu::describe);
        }
        Process p = start("--no-console", "-netdev", "hubport,id=h1,hubid=1");
        awaitBanner(p, "QMP on unix:");
        Path socket = work.resolve("patchbay-qmp.sock");
        Await.until(() -> Ports.unixListening(socket), STARTED, "Patchbay's QMP socket");
        String patchbaySaw = afterSignal(socket, p, signal);
        assertTrue(p.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS), "SIG" + signal + " did not stop it");
        assertEquals(0, p.exitValue(), "a clean stop exits 0");
        assertTrue(qemuSaw.contains("\"reason\": \"host-signal\""), qemuSaw);
        assertEquals(withoutTimestamp(qemuSaw), withoutTimestamp(patchbaySaw));
    }

    /** What a test does to a running Patchbay while a QMP client waits. */
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /**
     * Negotiates on the unix socket, sends the signal to the process, and reads until the server
     * closes the connection.
     *
     * @return the bytes after the negotiation's reply, as text
     */
    private static String afterSignal(Path socket, Process process, String signal) throws Exception {
        return afterNegotiation(socket, () -> kill(process, signal));
    }

    /**
     * Negotiates on the unix socket, takes the step, and reads until the server closes the
     * connection.
     *
     * @return the bytes after the negotiation's reply, as text
     */
    private static String afterNegotiation(Path socket, Step step) throws Exception {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            InputStream in = Channels.newInputStream(channel);
            OutputStream out = Channels.newOutputStream(channel);
            FutureTask<String> rest = new FutureTask<>(() -> {
                String greeting = line(in);
                assertTrue(greeting.startsWith("{\"QMP\""), "greeting, got '" + greeting + "'");
                out.write("{\"execute\": \"qmp_capabilities\"}\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("{\"return\": {}}\r\n", line(in));
                step.run();
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            });
            Thread.ofVirtual().start(rest);
            // Closing the channel (on a timeout) ends a read that waits forever.
            return rest.get(STOPPED.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** @return one line of the stream, its CRLF included */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0; b = in.read()) {
            line.append((char) b);
            if (b == '\n') {
                break;
            }
        }
        return line.toString();
    }

    private static void kill(Process process, String signal) throws IOException, InterruptedException {
        Host.Result kill = Host.run((int) STOPPED.toSeconds(), "kill", "-" + signal, Long.toString(process.pid()));
        assertEquals(0, kill.status(), "kill -" + signal + ": " + kill.output());
    }

    private static String withoutTimestamp(String messages) {
        return messages.replaceAll("\"seconds\": \\d+, \"microseconds\": \\d+", "\"seconds\": S, \"microseconds\": U");
    }

    @Test
    void aDriverInTheDeployDirectoryProvidesItsType() throws Exception {
        Files.createDirectories(work.resolve("deploy"));
        Files.copy(DRIVER, work.resolve("deploy").resolve(DRIVER.getFileName()));
        // Missing 'remote': only the driver's option record knows it is required, so this error
        // comes from the runtime once the deployed driver runs; its arrival is news in the log.
        Run bad = run("--no-console", "-netdev", "udpwire,id=u0,local=127.0.0.1:0");
        assertEquals(1, bad.code(), "exit code");
        assertEquals(2, bad.err().size(), "stderr: " + bad.err());
        assertTrue(bad.err().get(0).matches(".* INFO  net.hub: netdev type 'udpwire' available from net.example.udpwire \\S+"),
                bad.err().get(0));
        assertEquals("patchbay: -netdev udpwire,id=u0,local=127.0.0.1:0: Parameter 'remote' is missing", bad.err().get(1));

        Process p = start("--no-console", "-netdev", "udpwire,id=u0,local=127.0.0.1:0,remote=127.0.0.1:9",
                "-netdev", "hubport,id=h1,hubid=1,netdev=u0");
        String types = "bridge, dgram, dhcp-probe, dump, echo, filter-buffer, filter-dump, filter-mirror, "
                + "filter-redirector, hubport, l2tpv3, responder, sink, socket, stream, tap, udpwire, user, vde, vhost-user, vhost-user-backend";
        awaitBanner(p, "running: 2 netdevs; types: " + types);
        p.destroy();
        String help = String.join("\n", run("--help").out());
        for (String type : types.split(", ")) {
            assertTrue(type.equals("udpwire") || help.contains(" " + type), "--help names the built-in " + type);
        }
        assertTrue(p.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS), "SIGTERM did not stop it");
        assertEquals(0, p.exitValue());
    }

    @Test
    void aJarInTheDeployDirectoryThatCannotResolveIsReportedWithWhatItMisses() throws Exception {
        Process p = start("--no-console", "-qmp", "none");
        awaitBanner(p, "running:");
        // A driver built against a net.api this runtime does not have.
        Path jar = work.resolve("needs-api-3.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), bundleManifest("needs.api3",
                "net.api;version=\"[3.0,4)\""))) {
            out.closeEntry();
        }
        Files.move(jar, work.resolve("deploy").resolve(jar.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        String expected = "deploy/needs-api-3.jar: cannot resolve: missing package net.api [3.0.0,4.0.0)";
        awaitLine(p, "err.txt", expected);
        stopCleanly(p);
        List<String> about = lines("err.txt").stream().filter(l -> l.contains("needs-api-3")).toList();
        assertEquals(1, about.size(), "one line, FileInstall's warning left out: " + about);
        assertTrue(about.get(0).matches("\\S+ \\S+ WARN  net\\.qmp: " + java.util.regex.Pattern.quote(expected)),
                about.get(0));
    }

    private static Manifest bundleManifest(String symbolicName, String imports) {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Import-Package", imports);
        return manifest;
    }

    @Test
    void aSocketInheritedFromTheParentProcessCarriesFrames() throws Exception {
        try (java.net.ServerSocket parentSide = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            int listen = probe.getLocalPort();
            probe.close();
            parentSide.setSoTimeout((int) STARTED.toMillis());
            // The parent opens descriptor 3 and execs Patchbay with it, as a VM manager would.
            List<String> command = new ArrayList<>(List.of("bash", "-c",
                    "exec 3<>/dev/tcp/127.0.0.1/" + parentSide.getLocalPort() + " && exec \"$@\"", "bash"));
            command.addAll(javaCommand("--no-console", "-qmp", "none", "-netdev", "socket,id=s0,fd=3",
                    "-netdev", "hubport,id=h0,hubid=1,netdev=s0", "-netdev", "socket,id=s1,listen=127.0.0.1:" + listen,
                    "-netdev", "hubport,id=h1,hubid=1,netdev=s1"));
            Process p = start(command);
            try (java.net.Socket inherited = parentSide.accept()) {
                awaitBanner(p, "running: 4 netdevs");
                try (java.net.Socket client = new java.net.Socket("127.0.0.1", listen)) {
                    client.setSoTimeout((int) STARTED.toMillis());
                    java.io.DataOutputStream out = new java.io.DataOutputStream(inherited.getOutputStream());
                    java.io.DataInputStream in = new java.io.DataInputStream(client.getInputStream());
                    byte[] frame = new byte[60];
                    java.util.Arrays.fill(frame, (byte) 0x5a);
                    // s1 may still be accepting the client when the first frame crosses the hub: resend until one arrives.
                    long deadline = System.nanoTime() + STARTED.toNanos();
                    while (in.available() < 4 + frame.length) {
                        assertTrue(System.nanoTime() < deadline, "no frame from the inherited socket");
                        out.writeInt(frame.length);
                        out.write(frame);
                        out.flush();
                        Thread.sleep(100);
                    }
                    assertEquals(frame.length, in.readInt());
                    byte[] got = new byte[frame.length];
                    in.readFully(got);
                    assertTrue(java.util.Arrays.equals(frame, got), "the frame arrives unchanged");
                }
            }
            stopCleanly(p);
        }
    }

    @Test
    void aChardevErrorNamesTheOption() throws Exception {
        assertOneErrorLine("patchbay: -chardev socket,id=c0,host=127.0.0.1: chardev: socket: no port given",
                run("--no-console", "-chardev", "socket,id=c0,host=127.0.0.1"));
    }

    @Test
    void aMirrorOnTheCommandLineCopiesFramesToItsChardev() throws Exception {
        Path chardev = work.resolve("mirror.sock");
        Path qmpSocket = work.resolve("qmp.sock");
        int listen;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            listen = probe.getLocalPort();
        }
        Process p = start("--no-console", "-qmp", "unix:" + qmpSocket + ",server=on,wait=off",
                "-netdev", "socket,id=s0,listen=127.0.0.1:" + listen, "-netdev", "hubport,id=h0,hubid=1,netdev=s0",
                "-object", "filter-mirror,id=m0,netdev=s0,queue=tx,outdev=c0",
                "-chardev", "socket,id=c0,path=" + chardev + ",server=on,wait=off");
        awaitBanner(p, "running: 2 netdevs");
        try (java.nio.channels.SocketChannel mirror = java.nio.channels.SocketChannel.open(
                        java.net.UnixDomainSocketAddress.of(chardev));
                java.nio.channels.SocketChannel qmp = java.nio.channels.SocketChannel.open(
                        java.net.UnixDomainSocketAddress.of(qmpSocket))) {
            java.io.BufferedReader in = new java.io.BufferedReader(java.nio.channels.Channels.newReader(qmp,
                    java.nio.charset.StandardCharsets.US_ASCII));
            java.io.Writer out = java.nio.channels.Channels.newWriter(qmp, java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(in.readLine().startsWith("{\"QMP\""), "greeting");
            out.write("{\"execute\": \"qmp_capabilities\"}\n");
            out.flush();
            assertEquals("{\"return\":{}}", in.readLine().replace(" ", ""));
            // The filter's chardev takes the connection on its loop: wait until query-chardev says so.
            long deadline = System.nanoTime() + STARTED.toNanos();
            String chardevs;
            do {
                assertTrue(System.nanoTime() < deadline, "the chardev did not take the connection");
                out.write("{\"execute\": \"query-chardev\"}\n");
                out.flush();
                chardevs = in.readLine().replace(" ", "");
            } while (!chardevs.contains("\"filename\":\"unix:" + chardev + ",server=on\""));
            // QEMU's filter-mirror never opens its outdev's front end: frontend-open stays false.
            assertTrue(chardevs.contains("\"frontend-open\":false") && chardevs.contains("\"label\":\"c0\""), chardevs);
            out.write("{\"execute\": \"chardev-remove\", \"arguments\": {\"id\": \"c0\"}}\n");
            out.flush();
            assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Chardev'c0'isbusy\"}}",
                    in.readLine().replace(" ", ""));
            String add = "{\"execute\": \"chardev-add\", \"arguments\": {\"id\": \"c1\", \"backend\": {\"type\": \"socket\", "
                    + "\"data\": {\"addr\": {\"type\": \"unix\", \"data\": {\"path\": \"" + work.resolve("c1.sock") + "\"}}, "
                    + "\"server\": true, \"wait\": false}}}}\n";
            out.write(add + add + "{\"execute\": \"chardev-remove\", \"arguments\": {\"id\": \"c1\"}}\n");
            out.flush();
            assertEquals("{\"return\":{}}", in.readLine().replace(" ", ""));
            assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Chardevwithid'c1'alreadyexists\"}}",
                    in.readLine().replace(" ", ""));
            assertEquals("{\"return\":{}}", in.readLine().replace(" ", ""));
            try (java.net.Socket client = new java.net.Socket("127.0.0.1", listen)) {
                java.io.DataOutputStream frames = new java.io.DataOutputStream(client.getOutputStream());
                byte[] frame = new byte[60];
                java.util.Arrays.fill(frame, (byte) 0x5a);
                frames.writeInt(frame.length);
                frames.write(frame);
                frames.flush();
                java.nio.ByteBuffer copy = java.nio.ByteBuffer.allocate(4 + frame.length);
                while (copy.hasRemaining()) {
                    assertTrue(mirror.read(copy) >= 0, "the mirror's chardev closed");
                }
                assertEquals(frame.length, copy.getInt(0), "QEMU's framing: the length first");
                assertTrue(java.util.Arrays.equals(frame, java.util.Arrays.copyOfRange(copy.array(), 4, copy.capacity())));
            }
        }
        stopCleanly(p);
    }

    @Test
    void netdevHelpListsTheInstalledTypesInQemusOrderAndWhereMoreComeFrom() throws Exception {
        Files.createDirectories(work.resolve("deploy"));
        Files.copy(DRIVER, work.resolve("deploy").resolve(DRIVER.getFileName()));
        Run run = run("-netdev", "hubport,id=h1,hubid=1", "-netdev", "help", "-netdev", "nosuch,id=x");
        assertEquals(0, run.code(), "stderr: " + run.err());
        // QEMU 7.2's header and order (socket, stream, dgram, hubport, tap, user, l2tpv3, ..., bridge), then the rest.
        assertEquals(List.of("Available netdev backend types:", "socket", "stream", "dgram", "hubport", "tap",
                "user", "l2tpv3", "vde", "bridge", "vhost-user", "dump", "udpwire", "vhost-user-backend"), run.out());
        assertEquals(List.of("patchbay: more types come as driver bundles (*.jar) dropped into "
                + work.resolve("deploy").toAbsolutePath().normalize()), run.err().stream()
                .filter(l -> !l.contains(" INFO ")).toList());
    }

    @Test
    void objectHelpListsTheFilterTypesAndATypesHelpIsNoListAsInQemu() throws Exception {
        Run run = run("-object", "help");
        assertEquals(0, run.code());
        assertEquals(List.of("List of user creatable objects:", "  filter-buffer", "  filter-dump", "  filter-mirror",
                "  filter-redirector"), run.out());
        // QEMU 7.2 has no TYPE,help for netdevs: the id is missing.
        assertOneErrorLine("patchbay: -netdev socket,help: Parameter 'id' is missing",
                run("--no-console", "-netdev", "socket,help"));
    }

    @Test
    void startUpWarningsAsQemuPrintsThem() throws Exception {
        Process p = start("--no-console", "-qmp", "none", "-netdev", "socket,id=s,listen=127.0.0.1:" + Ports.freeTcpPort(),
                "-netdev", "hubport,id=h0,hubid=0,netdev=s", "-netdev", "hubport,id=h1,hubid=0");
        awaitBanner(p, "running: 3 netdevs");
        // qemu-system-x86_64 -M none -nodefaults with the same options prints these, prefixed with its name.
        assertEquals(List.of("patchbay: warning: hub port h1 has no peer", "patchbay: warning: hub 0 with no nics",
                "patchbay: warning: netdev h1 has no peer"),
                lines("err.txt").stream().filter(l -> l.contains("warning")).toList());
        stopCleanly(p);
    }

    /**
     * The timing defect: a peer connects as soon as netdev {@code a} listens and sends as
     * fast as it can while the later options are still being applied. Every frame must reach the
     * capture (a filter given last) and the far hub port (a port given after the first), in order.
     */
    @RepeatedTest(6)
    void framesSentWhileItStartsAllReachTheCaptureAndTheFarPort() throws Exception {
        int listen = Ports.freeTcpPortBelowEphemeral(); // the test connects before it listens
        sendWhileStarting(listen, "-netdev", "socket,id=a,listen=127.0.0.1:" + listen);
    }

    /** The same with {@code a} in a netdev file present at start: it is in place before the command line. */
    @RepeatedTest(3)
    void aNetdevFilePresentAtStartIsInPlaceBeforeTheCommandLineAndAnyFrame() throws Exception {
        int listen = Ports.freeTcpPortBelowEphemeral(); // the test connects before it listens
        Files.createDirectories(work.resolve("deploy"));
        Files.writeString(work.resolve("deploy").resolve("net.netdev-a.cfg"),
                "type=socket\nlisten=127.0.0.1:" + listen + "\n");
        sendWhileStarting(listen);
    }

    /**
     * The cause of the defect above: FileInstall wrote each configuration back to its file when it
     * changed, truncating it first, and a scan in that moment applied the empty file (a netdev
     * without its type). Patchbay writes nothing into its deploy directory.
     */
    @Test
    void netdevFilesAreNeverRewritten() throws Exception {
        Path file = Files.createDirectories(work.resolve("deploy")).resolve("net.netdev-p0.cfg");
        String text = "# a port\ntype=hubport\nhubid=3\n";
        Files.writeString(file, text);
        java.nio.file.attribute.FileTime written = Files.getLastModifiedTime(file);
        Process p = start("--no-console", "-qmp", "tcp:127.0.0.1:0,server=on,wait=off", "-netdev", "hubport,id=h0,hubid=3");
        awaitBanner(p, "running: 2 netdevs");
        int qmp = qmpPort();
        // ConfigAdmin tells its listeners (FileInstall's write-back among them) of one configuration
        // after another: once a later file's netdev is there, the first file's turn is over.
        Files.writeString(file.resolveSibling("net.netdev-p1.cfg"), "type=hubport\nhubid=3\n");
        Await.until(() -> infoNetwork(qmp).contains(" p1\\"), Duration.ofSeconds(30), "the later file's netdev");
        stopCleanly(p);
        assertEquals(text, Files.readString(file));
        assertEquals(written, Files.getLastModifiedTime(file), "the file was written to");
    }

    @Test
    void everyNetdevFilePresentAtStartIsInPlaceWhenStartUpEnds() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        int files = 40;
        for (int i = 0; i < files; i++) {
            Files.writeString(deploy.resolve("net.netdev-p" + i + ".cfg"), "type=hubport\nhubid=9\n");
        }
        Process p = start("--no-console", "-qmp", "none", "-netdev", "hubport,id=h0,hubid=9");
        // The banner comes once start-up has ended: by then every file's netdev is there.
        awaitBanner(p, "running: ");
        assertTrue(lines("out.txt").get(0).contains("running: " + (files + 1) + " netdevs"), lines("out.txt").get(0));
        stopCleanly(p);
    }

    /**
     * {@code kill -9}, then a start on the same netdev files, several times over. The hub ports'
     * files are named so that FileInstall meets them before their netdevs' files: a port waits
     * for its netdev. Each start must bring the whole topology back and carry frames, and remove
     * the storage the killed one left in the temporary directory.
     */
    @Test
    void aKilledInstanceComesBackWholeOnTheSameFilesEveryTimeAndLeavesNothingBehind() throws Exception {
        int restarts = 5;
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        Path temp = Files.createDirectories(work.resolve("tmp"));
        int listen = Ports.freeTcpPort();
        try (java.net.ServerSocket far = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            far.setSoTimeout((int) STARTED.toMillis());
            Files.writeString(deploy.resolve("net.netdev-a1.cfg"), "type=hubport\nhubid=1\nnetdev=s1\n");
            Files.writeString(deploy.resolve("net.netdev-a2.cfg"), "type=hubport\nhubid=1\nnetdev=s2\n");
            Files.writeString(deploy.resolve("net.netdev-s1.cfg"), "type=socket\nlisten=127.0.0.1:" + listen + "\n");
            Files.writeString(deploy.resolve("net.netdev-s2.cfg"), "type=socket\nconnect=127.0.0.1:" + far.getLocalPort() + "\n");
            for (int run = 0; run <= restarts; run++) {
                List<String> command = javaCommand("--no-console", "-qmp", "none");
                command.add(1, "-Djava.io.tmpdir=" + temp);
                Process p = start(command);
                awaitBanner(p, "running: 4 netdevs");
                assertEquals(List.of(), leftBehind(temp), "in the temporary directory after " + run + " kills");
                List<byte[]> sent = Frames.testFrames(run * 100, 100, 60);
                try (java.net.Socket sender = connectAsSoonAsListening(p, listen);
                        java.net.Socket receiver = far.accept()) {
                    receiver.setSoTimeout((int) STARTED.toMillis());
                    java.io.OutputStream out = sender.getOutputStream();
                    for (byte[] frame : sent) {
                        out.write(java.nio.ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).array());
                    }
                    out.flush();
                    java.io.DataInputStream in = new java.io.DataInputStream(receiver.getInputStream());
                    for (int i = 0; i < sent.size(); i++) {
                        byte[] got = new byte[in.readInt()];
                        in.readFully(got);
                        assertArrayEquals(sent.get(i), got, "frame " + i + " after " + run + " kills");
                    }
                }
                if (run < restarts) {
                    p.destroyForcibly();
                    assertTrue(p.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS), "SIGKILL did not stop it");
                } else {
                    stopCleanly(p);
                }
            }
        }
        assertEquals(List.of(), leftBehind(temp), "in the temporary directory after a clean stop");
    }

    /**
     * A jar's first start keeps its run set installed beside the jar; the starts after it begin
     * from a copy of that, the bundles' jars linked into it, and run as the first did. A rebuilt jar
     * (another modification time) starts from scratch, and its first start removes what the old
     * one kept.
     */
    @Test
    void startsAfterAJarsFirstBeginFromTheBundlesItKeptInstalled() throws Exception {
        Path jar = Files.createDirectories(work.resolve("build")).resolve("patchbay.jar");
        Files.copy(JAR, jar);
        Path temp = Files.createDirectories(work.resolve("tmp"));
        List<String> command = javaCommand("--no-console", "-netdev", "hubport,id=h1,hubid=1");
        command.set(command.indexOf(JAR.toString()), jar.toString());
        command.add(1, "-Djava.io.tmpdir=" + temp);

        Process first = start(command);
        awaitBanner(first, "running: ");
        stopCleanly(first);
        Path kept = onlyKept(jar);
        Process second = start(command);
        awaitBanner(second, "running: ");
        Path storage = onlyStorage(temp);
        try (java.util.stream.Stream<Path> bundles = Files.list(kept)) {
            List<Path> installed = bundles.filter(b -> !b.getFileName().toString().equals("bundle0")).toList();
            assertTrue(installed.size() > 30, "the run set kept: " + installed);
            for (Path bundle : installed) {
                // Every installed bundle's jar, the system bundle (bundle0) having none.
                Path jarOf = Path.of(bundle.getFileName().toString(), "version0.0", "bundle.jar");
                assertTrue(Files.isSameFile(kept.resolve(jarOf), storage.resolve("felix").resolve(jarOf)), jarOf::toString);
            }
        }
        try (QmpUnixClient qmp = new QmpUnixClient(work.resolve("patchbay-qmp.sock"))) {
            assertTrue(qmp.execute("{\"execute\": \"x-query-netdevs\"}").contains("\"h1\""), "h1 runs");
            String drivers = qmp.execute("{\"execute\": \"x-query-drivers\"}");
            for (String type : List.of("socket", "tap", "l2tpv3", "vde", "user", "vhost-user")) {
                assertTrue(drivers.contains("\"" + type + "\""), type + " in " + drivers);
            }
        }
        stopCleanly(second);

        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));
        Process third = start(command);
        awaitBanner(third, "running: ");
        stopCleanly(third);
        assertFalse(Files.exists(kept), "what the old jar kept is removed");
        assertTrue(onlyKept(jar).getFileName().toString().contains("-" + Files.getLastModifiedTime(jar).toMillis() + "."));
    }

    /**
     * A JDK 25 AOT cache made with the jar named by a relative path, then used from another
     * directory with the jar's full path: the JVM maps the cache but gives the classes it loads
     * from it no code source, where the launcher looked for its jar (a NullPointerException and
     * no start). It finds the jar on the class path instead.
     */
    @Test
    void startsUnderAnAotCacheThatLostTheJarsLocation() throws Exception {
        Path jar = Files.createDirectories(work.resolve("build")).resolve("patchbay.jar");
        Files.copy(JAR, jar);
        Path cache = work.resolve("relative.aot");
        List<String> training = javaCommand("--no-console", "-qmp", "unix:training.sock,server=on,wait=off");
        training.set(training.indexOf(JAR.toString()), work.relativize(jar).toString());
        training.add(1, "-XX:AOTCacheOutput=" + cache);
        Process trainer = start(training);
        Await.until(() -> Files.exists(work.resolve("training.sock")) || !trainer.isAlive(), STARTED, "QMP listens",
                () -> read("err.txt"));
        trainer.destroy(); // the JVM writes the cache on its way out
        assertTrue(trainer.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS), "the training JVM did not exit");
        assertTrue(Files.size(cache) > 0, () -> "no cache: " + read("out.txt"));

        List<String> command = javaCommand("--no-console", "-netdev", "hubport,id=h1,hubid=1");
        command.set(command.indexOf(JAR.toString()), jar.toString());
        command.add(1, "-XX:AOTCache=" + cache);
        command.add(2, "-Xlog:class+load=info:file=" + work.resolve("classes.log"));
        Process elsewhere = start(command, Files.createDirectories(work.resolve("elsewhere")));
        awaitBanner(elsewhere, "running: 1 netdev");
        stopCleanly(elsewhere);
        assertTrue(Files.readAllLines(work.resolve("classes.log")).stream()
                .anyMatch(l -> l.contains("launcher.Main ") && l.contains("shared objects file")),
                "the launcher ran from the cache");
        assertFalse(read("err.txt").contains("Exception"), () -> read("err.txt"));
    }

    /**
     * The topology page's captures are recorded in the framework's storage: a Patchbay killed
     * while one records leaves the file to the next start's clean-up, not in the temporary
     * directory for good.
     */
    @Test
    void thePagesCapturesGoWithTheStorageAlsoWhenKilled() throws Exception {
        Path temp = Files.createDirectories(work.resolve("tmp"));
        List<String> command = javaCommand("--no-console", "-netdev", "hubport,id=h1,hubid=1", "-http", "127.0.0.1:0");
        command.add(1, "-Djava.io.tmpdir=" + temp);
        Process killed = start(command);
        awaitBanner(killed, "Topology page at http://127.0.0.1:");
        String url = pageUrl(lines("out.txt")).orElseThrow();
        java.net.http.HttpResponse<String> started = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "api/capture/start")).timeout(STARTED)
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"netdev\": \"h1\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, started.statusCode(), started.body());
        Path storage = onlyStorage(temp);
        Path file;
        try (QmpUnixClient qmp = new QmpUnixClient(work.resolve("patchbay-qmp.sock"))) {
            String captures = qmp.execute("{\"execute\": \"x-query-captures\"}");
            java.util.regex.Matcher named = Pattern.compile("\"file\": ?\"([^\"]+)\"").matcher(captures);
            assertTrue(named.find(), captures);
            file = Path.of(named.group(1));
        }
        assertTrue(file.startsWith(storage), file + " in " + storage);
        assertTrue(Files.exists(file), file::toString);
        killed.destroyForcibly();
        assertTrue(killed.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS), "SIGKILL did not stop it");

        Process next = start(command);
        awaitBanner(next, "Topology page at http://127.0.0.1:");
        assertFalse(Files.exists(storage), "the killed instance's storage, with its capture, is removed");
        try (java.util.stream.Stream<Path> left = Files.list(temp)) {
            assertEquals(List.of(onlyStorage(temp)), left.filter(Files::isDirectory).toList(), "nothing else stays");
        }
        stopCleanly(next);
    }

    /** @return the one directory of installed bundles kept beside the jar */
    private static Path onlyKept(Path jar) throws IOException {
        try (java.util.stream.Stream<Path> list = Files.list(jar.getParent())) {
            List<Path> kept = list.filter(p -> p.getFileName().toString().endsWith(".bundles")).toList();
            assertEquals(1, kept.size(), kept::toString);
            return kept.get(0);
        }
    }

    /** @return the storage of the one instance running in this temporary directory */
    private static Path onlyStorage(Path temp) throws IOException {
        try (java.util.stream.Stream<Path> list = Files.list(temp)) {
            List<Path> storages = list.filter(p -> isLocked(p.resolve("lock"))).toList();
            assertEquals(1, storages.size(), storages::toString);
            return storages.get(0);
        }
    }

    /** A capture written into the deploy directory would be read back as configuration. */
    @Test
    void aCaptureIsNeverWrittenIntoTheDeployDirectory() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        String option = "filter-dump,id=f0,netdev=h1,file=deploy/net.qmp.endpoint-x.cfg";
        assertOneErrorLine("patchbay: -object " + option + ": Parameter 'file' expects a file outside the deploy directory "
                + deploy.toRealPath(), run("--no-console", "-qmp", "none", "-netdev", "hubport,id=h1,hubid=1", "-object", option));
        assertFalse(Files.exists(deploy.resolve("net.qmp.endpoint-x.cfg")), "the file was made");
    }

    /** @return what is in the temporary directory but the storage of a running instance (its lock held) */
    private static List<Path> leftBehind(Path temp) throws IOException {
        try (java.util.stream.Stream<Path> list = Files.list(temp)) {
            return list.filter(p -> !isLocked(p.resolve("lock"))).toList();
        }
    }

    private static boolean isLocked(Path lock) {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lock,
                java.nio.file.StandardOpenOption.WRITE)) {
            return channel.tryLock() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * SIGTERM while frames flow through a hub into a capture: every frame delivered before the
     * stop is in the capture, in order, and the process exits within a second.
     */
    @RepeatedTest(5)
    void sigtermUnderTrafficKeepsEveryDeliveredFrameInTheCaptureAndExitsWithinASecond() throws Exception {
        int listen = Ports.freeTcpPort();
        Path pcap = work.resolve("h1.pcap");
        try (java.net.ServerSocket far = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            far.setSoTimeout((int) STARTED.toMillis());
            Process p = start("--no-console", "-qmp", "none",
                    "-netdev", "socket,id=a,listen=127.0.0.1:" + listen, "-netdev", "hubport,id=h0,hubid=0,netdev=a",
                    "-netdev", "socket,id=b,connect=127.0.0.1:" + far.getLocalPort(),
                    "-netdev", "hubport,id=h1,hubid=0,netdev=b",
                    "-object", "filter-dump,id=f0,netdev=h1,file=" + pcap);
            awaitBanner(p, "running: 4 netdevs");
            List<byte[]> delivered = java.util.Collections.synchronizedList(new ArrayList<>());
            try (java.net.Socket sender = connectAsSoonAsListening(p, listen);
                    java.net.Socket receiver = far.accept()) {
                receiver.setSoTimeout((int) STARTED.toMillis());
                Thread sending = Thread.ofPlatform().start(() -> sendUntilClosed(sender));
                Thread receiving = Thread.ofPlatform().start(() -> receiveUntilClosed(receiver, delivered));
                Await.until(() -> delivered.size() >= 10_000, Duration.ofSeconds(30), "frames through the hub");
                long stop = System.nanoTime();
                p.destroy();
                assertTrue(p.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS), "SIGTERM did not stop it");
                long exitMillis = (System.nanoTime() - stop) / 1_000_000;
                assertEquals(0, p.exitValue(), "a clean stop exits 0");
                receiving.join(STOPPED.toMillis());
                sender.close();
                sending.join(STOPPED.toMillis());
                List<byte[]> captured = Pcap.readFinished(pcap).frames();
                System.out.printf("SIGTERM under traffic: exit in %d ms, %d frames delivered, %d in the capture%n",
                        exitMillis, delivered.size(), captured.size());
                assertTrue(captured.size() >= delivered.size(), "captured " + captured.size() + " of "
                        + delivered.size() + " delivered");
                for (int i = 0; i < delivered.size(); i++) {
                    assertArrayEquals(delivered.get(i), captured.get(i), "frame " + i + " in the capture");
                }
                assertTrue(exitMillis < 1000, "exit took " + exitMillis + " ms");
            }
        }
    }

    /**
     * Numbered test frames, 200 every 10 ms, until the socket is closed or reset. Paced: a capture
     * whose writer falls behind by its whole ring (about 50 000 such frames) drops and counts
     * frames rather than stall the loop, which a starved writer thread on a busy machine would
     * otherwise do here now and then; this test is about the stop.
     */
    private static void sendUntilClosed(java.net.Socket sender) {
        try {
            java.io.OutputStream out = new java.io.BufferedOutputStream(sender.getOutputStream(), 1 << 16);
            long next = System.nanoTime();
            for (int seq = 0;; seq++) {
                byte[] frame = Frames.testFrame(seq, 60);
                out.write(java.nio.ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).array());
                if (seq % 200 == 199) {
                    out.flush();
                    next += 10_000_000;
                    java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
                }
            }
        } catch (IOException e) {
            // the stop closed the connection
        }
    }

    /** Every frame the far end gets, until Patchbay closes the connection. */
    private static void receiveUntilClosed(java.net.Socket receiver, List<byte[]> delivered) {
        try {
            java.io.DataInputStream in = new java.io.DataInputStream(
                    new java.io.BufferedInputStream(receiver.getInputStream(), 1 << 16));
            while (true) {
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                delivered.add(frame);
            }
        } catch (IOException e) {
            // closed: everything delivered has been read
        }
    }

    /**
     * Starts Patchbay with {@code first}, then a hub port on {@code a}, a far port peered with a
     * socket that connects to this test, and a capture on the first port; sends 550 frames to
     * {@code a} the moment it listens; and checks they all reach the far end and the capture.
     */
    private void sendWhileStarting(int listen, String... first) throws Exception {
        int frames = 550;
        Path pcap = work.resolve("h0.pcap");
        try (java.net.ServerSocket far = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            far.setSoTimeout((int) STARTED.toMillis());
            List<String> args = new ArrayList<>(List.of("--no-console", "-qmp", "none"));
            args.addAll(List.of(first));
            args.addAll(List.of("-netdev", "hubport,id=h0,hubid=0,netdev=a",
                    "-netdev", "socket,id=b,connect=127.0.0.1:" + far.getLocalPort(),
                    "-netdev", "hubport,id=h1,hubid=0,netdev=b",
                    "-object", "filter-dump,id=f0,netdev=h0,file=" + pcap));
            Process p = start(args.toArray(String[]::new));
            List<byte[]> sent = Frames.testFrames(0, frames, 60);
            try (java.net.Socket sender = connectAsSoonAsListening(p, listen)) {
                java.io.OutputStream out = sender.getOutputStream();
                for (byte[] frame : sent) {
                    out.write(java.nio.ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).array());
                }
                out.flush();
                try (java.net.Socket receiver = far.accept()) {
                    receiver.setSoTimeout((int) STARTED.toMillis());
                    java.io.DataInputStream in = new java.io.DataInputStream(receiver.getInputStream());
                    for (int i = 0; i < frames; i++) {
                        byte[] got = new byte[in.readInt()];
                        in.readFully(got);
                        assertArrayEquals(sent.get(i), got, "frame " + i + " at the far port");
                    }
                }
            }
            stopCleanly(p);
        }
        List<byte[]> captured = Pcap.readFinished(pcap).frames();
        assertEquals(frames, captured.size(), "frames in the capture");
        assertTrue(Frames.isSubsequence(Frames.testFrames(0, frames, 60), captured), "the capture keeps them in order");
    }

    /** @return the port of the {@code -qmp tcp:127.0.0.1:0} endpoint, from the banner */
    private int qmpPort() throws IOException {
        String banner = lines("out.txt").get(0);
        return Integer.parseInt(banner.replaceAll(".*QMP on tcp:127\\.0\\.0\\.1:(\\d+).*", "$1"));
    }

    /** @return HMP's {@code info network} over a fresh QMP connection */
    private static String infoNetwork(int port) throws IOException {
        try (java.net.Socket qmp = new java.net.Socket("127.0.0.1", port)) {
            qmp.setSoTimeout((int) STARTED.toMillis());
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(qmp.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
            java.io.Writer out = new java.io.OutputStreamWriter(qmp.getOutputStream(), java.nio.charset.StandardCharsets.US_ASCII);
            in.readLine();
            out.write("{\"execute\": \"qmp_capabilities\"}\n"
                    + "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info network\"}}\n");
            out.flush();
            in.readLine();
            return in.readLine();
        }
    }

    /** Connects the moment the port listens, retrying refused connections without pause. */
    private java.net.Socket connectAsSoonAsListening(Process p, int port) throws Exception {
        long deadline = System.nanoTime() + STARTED.toNanos();
        while (true) {
            try {
                return new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port);
            } catch (java.net.ConnectException refused) {
                assertTrue(p.isAlive(), () -> "patchbay exited before listening: " + read("err.txt"));
                assertTrue(System.nanoTime() < deadline, "nothing listens on " + port);
                Thread.onSpinWait();
            }
        }
    }

    /** SIGTERM, as a service manager stops it: Patchbay must stop in time and exit 0. */
    /**
     * The words people type to leave a shell stop Patchbay as QEMU's HMP {@code quit} does: QMP
     * clients get {@code SHUTDOWN} with reason {@code host-qmp-quit}, and the exit code is 0.
     */
    @ParameterizedTest
    @ValueSource(strings = {"quit", "exit", "shutdown"})
    void quitAtTheConsoleStopsPatchbayAsQemusQuit(String word) throws Exception {
        Process p = startWithConsole("-netdev", "hubport,id=h1,hubid=1");
        awaitBanner(p, "QMP on unix:");
        Path socket = work.resolve("patchbay-qmp.sock");
        Await.until(() -> Ports.unixListening(socket), STARTED, "Patchbay's QMP socket");
        String saw = afterNegotiation(socket, () -> type(p, word));
        assertTrue(saw.startsWith("{\"timestamp\": {"), saw);
        assertTrue(saw.contains("\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}"), saw);
        assertTrue(p.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS), word + " did not stop it");
        assertEquals(0, p.exitValue(), "a clean stop exits 0");
        String printed = read("out.txt") + read("err.txt");
        assertFalse(printed.contains("Exception"), printed);
    }

    /**
     * {@code net:add} takes QEMU's comma form as well as the spaced one, refuses a comma inside a
     * spaced value, and {@code net:link} takes {@code set_link}'s {@code on}/{@code off}; errors
     * are HMP's lines, never an exception's name.
     */
    @Test
    void netCommandsTakeQemusWords() throws Exception {
        String out = typedAtTheConsoleOfHubportH1(List.of("net:add hubport,id=h9,hubid=2",
                "net:add socket id=s0 connect=127.0.0.1:1,reconnect=5", "net:link h1 off", "net:stats h1", "net:netdevs",
                "nosuch 1"));
        assertTrue(out.contains("Error: Parameter 'connect' has a comma in its value"), out);
        assertTrue(out.contains("hub 2\n \\ h9\n"), out);
        assertFalse(out.contains("s0: "), "no netdev s0 was made: " + out);
        assertTrue(out.contains("unknown command: 'nosuch'\n"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("h1\\s+hubport\\s+hubport\\s+\\S+\\s+down\\s.*")), out);
        String printed = out + read("err.txt");
        assertFalse(printed.contains("Exception"), printed);
    }

    /**
     * Types lines at the console of a Patchbay with one netdev, hubport {@code h1} on hub 1, then
     * {@code quit}, which must stop it cleanly.
     *
     * @return what it printed on stdout
     */
    private String typedAtTheConsoleOfHubportH1(List<String> lines) throws Exception {
        Process p = startWithConsole("-qmp", "none", "-netdev", "hubport,id=h1,hubid=1");
        awaitBanner(p, "running: 1 netdev");
        for (String line : lines) {
            type(p, line);
        }
        type(p, "quit");
        assertTrue(p.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS), "quit did not stop it");
        assertEquals(0, p.exitValue());
        return read("out.txt");
    }

    /**
     * Words a command does not take, at the real console (Gogo's shell loop, which prints a Java
     * exception's name for whatever reaches it): HMP's lines instead, as QEMU 7.2 prints them for
     * {@code set_link a on extra}, {@code set_link a maybe} and {@code quit now}; the framework's
     * own commands and pipes too.
     */
    @Test
    void wrongWordsAtTheConsoleAreHmpLinesNotExceptions() throws Exception {
        String out = typedAtTheConsoleOfHubportH1(List.of("net:link h1 off extra", "net:link h1 maybe",
                "net:stats h1 h2 h3", "quit now", "help net:add net:del", "nosuch", "lb a b c d",
                "net:stats h1 | nosuchfilter", "x = seen-x", "echo $x", "info network"));
        assertTrue(out.contains("lb: invalid arguments\nTry \"help lb\" for more information\n"), out);
        assertTrue(out.contains("unknown command: 'nosuchfilter'\n"), out);
        assertTrue(out.contains("seen-x\n"), "a variable set on one line is there on the next: " + out);
        assertTrue(out.contains("net:link: extraneous characters at the end of line\nTry \"help net:link\" for more information\n"), out);
        assertTrue(out.contains("Expected 'on' or 'off'\nTry \"help net:link\" for more information\n"), out);
        assertTrue(out.contains("net:stats: extraneous characters at the end of line\n"), out);
        assertTrue(out.contains("quit: extraneous characters at the end of line\n"), out);
        assertTrue(out.contains("help: extraneous characters at the end of line\n"), out);
        assertTrue(out.contains("unknown command: 'nosuch'\n"), out);
        assertTrue(out.contains("hub 1\n \\ h1\n"), "QEMU's monitor line, as QEMU 7.2 prints it: " + out);
        String printed = out + read("err.txt");
        assertFalse(printed.contains("Exception") || printed.contains("java."), printed);
        assertFalse(printed.contains("org.jline"), "no JLine log line about the dumb terminal: " + printed);
    }

    /**
     * On a terminal (script(1) makes one, 100 columns wide): Tab completes {@code net:add}'s types
     * and then the type's option names with no blank after the {@code =}, and a log line is
     * printed above the prompt (the line being typed is cleared first, then drawn again), not into it.
     */
    @Test
    void onATerminalTabCompletesAndLogLinesGoAboveThePrompt() throws Exception {
        StringBuilder shell = new StringBuilder("stty cols 100 rows 24; exec");
        for (String word : javaCommand("-qmp", "none", "-netdev", "hubport,id=h1,hubid=1")) {
            shell.append(" '").append(word).append('\'');
        }
        process = new ProcessBuilder("script", "-qfec", shell.toString(), "/dev/null").directory(work.toFile())
                .redirectOutput(work.resolve("out.txt").toFile())
                .redirectError(work.resolve("err.txt").toFile())
                .start();
        Process p = process;
        awaitBanner(p, "running: 1 netdev");
        awaitLine(p, "out.txt", "g! "); // the console reads: keys typed earlier would be the tty's
        keys(p, "net:add hub\t");
        awaitLine(p, "out.txt", " hubport ");
        keys(p, "h\t");
        awaitLine(p, "out.txt", "hubport hubid=");
        assertFalse(read("out.txt").contains("hubid= "), "no blank after an option name: " + read("out.txt"));
        // While the console waits for the rest of a line, a netdev file is taken up: its news is
        // logged (it is up; it cannot connect).
        keys(p, "\u0015net:stats");
        Files.writeString(work.resolve("deploy").resolve("net.netdev-x9.cfg"), "type=stream\naddr.type=inet\n"
                + "addr.host=127.0.0.1\naddr.port=" + Ports.freeTcpPort() + "\nreconnect=1\n");
        awaitLine(p, "out.txt", "net.hub: netdev x9");
        String out = read("out.txt");
        assertTrue(Pattern.compile("\r\u001b\\[K\\d{4}-\\d\\d-\\d\\d [0-9:.]+ [A-Z]+ +net\\.hub: netdev x9[^\r\n]*\r\ng! ")
                .matcher(out).find(), "the prompt line is cleared before the log line and drawn after it: " + out);
        keys(p, "\u0015quit\r");
        assertTrue(p.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS), "quit did not stop it");
        assertEquals(0, p.exitValue());
    }

    /** Ctrl-C stops the command running (Gogo's {@code sleep} here) with one line, not Java's exception. */
    @Test
    void ctrlCDuringACommandIsOneLine() throws Exception {
        StringBuilder shell = new StringBuilder("stty cols 100 rows 24; exec");
        for (String word : javaCommand("-qmp", "none")) {
            shell.append(" '").append(word).append('\'');
        }
        process = new ProcessBuilder("script", "-qfec", shell.toString(), "/dev/null").directory(work.toFile())
                .redirectOutput(work.resolve("out.txt").toFile())
                .redirectError(work.resolve("err.txt").toFile())
                .start();
        Process p = process;
        awaitBanner(p, "running: 0 netdevs");
        awaitLine(p, "out.txt", "g! ");
        keys(p, "sleep 600000\r");
        awaitLine(p, "out.txt", "\u001b[?2004l"); // the line is accepted (bracketed paste off)
        // A Ctrl-C in the moment before the command is the foreground job is lost (as in Gogo):
        // sent again until the command has stopped.
        long deadline = System.nanoTime() + STARTED.toNanos();
        while (!read("out.txt").contains("Error: interrupted")) {
            assertTrue(System.nanoTime() < deadline, () -> "Ctrl-C did not stop sleep: " + read("out.txt"));
            keys(p, "\u0003");
            Thread.sleep(200);
        }
        keys(p, "quit\r");
        assertTrue(p.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS), "quit did not stop it");
        String out = read("out.txt");
        assertFalse(out.contains("Exception") || out.contains("java."), out);
    }

    /** Sends keys to the terminal as typed, no line end added. */
    private static void keys(Process p, String keys) throws IOException {
        OutputStream in = p.getOutputStream();
        in.write(keys.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Starts Patchbay with its console reading a pipe the test writes to with {@link #type}. */
    private Process startWithConsole(String... args) throws IOException {
        process = new ProcessBuilder(javaCommand(args)).directory(work.toFile())
                .redirectOutput(work.resolve("out.txt").toFile())
                .redirectError(work.resolve("err.txt").toFile())
                .start();
        return process;
    }

    /** Types one line at the console. */
    private static void type(Process p, String line) throws IOException {
        OutputStream in = p.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static void stopCleanly(Process p) throws InterruptedException {
        p.destroy();
        assertTrue(p.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS), "SIGTERM did not stop it");
        assertEquals(0, p.exitValue(), "a clean stop exits 0");
    }

    private void awaitBanner(Process p, String text) throws IOException, InterruptedException {
        awaitLine(p, "out.txt", text);
    }

    /** Waits until a line of the process's output file contains the text, while it runs. */
    private void awaitLine(Process p, String file, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTED.toNanos();
        while (lines(file).stream().noneMatch(l -> l.contains(text))) {
            assertTrue(p.isAlive(), () -> "exited early: " + p.exitValue() + " " + read("err.txt") + read("out.txt"));
            assertTrue(System.nanoTime() < deadline, () -> "no '" + text + "' in " + file + ": " + read(file));
            Thread.sleep(100);
        }
    }

    private String read(String file) {
        try {
            return Files.readString(work.resolve(file));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
