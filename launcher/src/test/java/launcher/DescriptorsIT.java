package launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.testlib.Await;
import net.testlib.Installed;
import net.testlib.OsgiTest;
import net.testlib.Ports;
import net.testlib.QmpUnixClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Patchbay's own descriptors. With its table full (its {@code RLIMIT_NOFILE} lowered with prlimit
 * to just above what it has open, then filled by clients of its socket netdevs) and clients
 * waiting on its listeners, it must not spin or flood its log, its QMP endpoint must stay (socket
 * file and sessions), and it must serve again once the clients leave. And {@code fd=N} must not
 * seize one of them. Patchbay runs as a process of its own, so this JVM's table stays free.
 */
@OsgiTest
class DescriptorsIT {

    /** Descriptors left free above those open at the start: the netdevs' first clients take them. */
    private static final int HEADROOM = 20;
    /** How long the full table is watched; back-off pauses at most 1 s, so several pauses fall in it. */
    private static final Duration WINDOW = Duration.ofSeconds(3);
    private static final Duration STARTED = Duration.ofSeconds(60);

    @TempDir
    Path work;

    private Process process;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void destroy() throws Exception {
        closeClients();
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullDescriptorTableNeitherSpinsNorFloodsTheLogAndQmpRecovers() throws Exception {
        // More listeners than free descriptors, each with a client: the last ones cannot accept theirs.
        int[] ports = Ports.freeTcpPortsBelowEphemeral(HEADROOM + 4);
        List<String> netdevs = new ArrayList<>();
        for (int i = 0; i < ports.length; i++) {
            netdevs.addAll(List.of("-netdev", "socket,id=s" + i + ",listen=127.0.0.1:" + ports[i]));
        }
        // And a socket chardev, listening on the loop for the filter that writes to it.
        Path mirror = work.resolve("mirror.sock");
        netdevs.addAll(List.of("-object", "filter-mirror,id=m0,netdev=s0,queue=tx,outdev=c0",
                "-chardev", "socket,id=c0,path=" + mirror + ",server=on,wait=off"));
        Path qmp = start(netdevs.toArray(String[]::new));
        QmpUnixClient probe = new QmpUnixClient(qmp);
        clients.add(probe);

        long pid = process.pid();
        int limit = openDescriptors(pid) + HEADROOM;
        Installed.require("prlimit");
        Process prlimit = new ProcessBuilder("prlimit", "--pid", Long.toString(pid), "--nofile=" + limit + ":" + limit)
                .inheritIO().start();
        assertTrue(prlimit.waitFor(10, TimeUnit.SECONDS) && prlimit.exitValue() == 0, "prlimit");
        for (int port : ports) {
            clients.add(new Socket("127.0.0.1", port));
        }
        Await.until(() -> lines("Too many open files") >= 1, Await.DEFAULT, "a netdev's accept failing",
                () -> read("err.txt"));
        clients.add(SocketChannel.open(UnixDomainSocketAddress.of(mirror)));
        Await.until(() -> lines("c0: accept failed") >= 1, Await.DEFAULT, "the chardev's accept failing",
                () -> read("err.txt"));
        Window netdevsWaiting = measure("netdevs' and chardev's clients waiting");
        // A QMP client now: the endpoint cannot accept it either.
        clients.add(SocketChannel.open(UnixDomainSocketAddress.of(qmp)));
        Await.until(() -> lines("QMP endpoint") >= 1, Await.DEFAULT, "QMP's accept failing", () -> read("err.txt"));
        Window qmpWaiting = measure("a QMP client waiting too");

        for (Window w : List.of(netdevsWaiting, qmpWaiting)) {
            assertTrue(w.cpuShare() < 0.25, w.cpuShare() * 100 + " % of one core while accept cannot succeed");
            assertTrue(w.logged() < 2048, w.logged() + " log bytes in " + WINDOW);
        }
        assertTrue(Files.exists(qmp), "the QMP socket file stays");
        assertTrue(probe.execute("{\"execute\": \"query-version\"}").startsWith("{\"return\""),
                "a QMP session from before is still served");

        closeClients();
        Await.until(this::answersANewClient, Await.DEFAULT, "a new QMP client once descriptors are free",
                () -> read("err.txt"));
        // The listeners that had to pause accept again.
        List<Integer> paused = paused();
        assertFalse(paused.isEmpty(), "a netdev that could not accept: " + read("err.txt"));
        for (int i : paused) {
            clients.add(new Socket("127.0.0.1", ports[i]));
        }
        Await.until(() -> probeNetwork().split("connection from 127\\.0\\.0\\.1", -1).length - 1 == paused.size(),
                Await.DEFAULT, "netdevs " + paused + " accepting clients again", () -> read("err.txt"));
        clients.add(SocketChannel.open(UnixDomainSocketAddress.of(mirror)));
        String connected = "\"filename\": \"unix:" + mirror + ",server=on\"";
        Await.until(() -> query("{\"execute\": \"query-chardev\"}").contains(connected), Await.DEFAULT,
                "the chardev accepting a client again", () -> read("err.txt"));
        // A line as a listener's episode starts (once more if it failed again while the first clients
        // were still closing); never one per attempt.
        assertTrue(lines("accept failed") <= 2 * 6, "lines per attempt: " + read("err.txt"));
        closeClients();
        process.destroy();
        assertTrue(process.waitFor(15, TimeUnit.SECONDS), "SIGTERM stops it");
        assertEquals(0, process.exitValue(), "a clean stop exits 0");
    }

    /** CPU and log growth over a window. */
    private record Window(double cpuShare, long logged) {
    }

    private Window measure(String what) throws Exception {
        long cpu0 = cpuNanos();
        long log0 = logBytes();
        long t0 = System.nanoTime();
        Thread.sleep(WINDOW.toMillis()); // a measurement window, not a wait for something
        long cpu = cpuNanos() - cpu0;
        long logged = logBytes() - log0;
        long elapsed = System.nanoTime() - t0;
        Window w = new Window((double) cpu / elapsed, logged);
        System.out.printf("%s, %d ms: CPU %d ms (%.1f %% of one core), log +%d bytes; %d lines with"
                + " 'Too many open files' so far%n", what, elapsed / 1_000_000, cpu / 1_000_000, w.cpuShare() * 100,
                logged, lines("Too many open files"));
        return w;
    }

    @Test
    void aNetdevCannotTakeOneOfPatchbaysOwnDescriptors() throws Exception {
        try (QmpUnixClient qmp = new QmpUnixClient(start())) {
            Path epoll = ownDescriptor("anon_inode:[eventpoll]");
            String fd = epoll.getFileName().toString();
            for (String netdev : List.of("{\"type\": \"socket\", \"id\": \"n\", \"fd\": \"" + fd + "\"}",
                    "{\"type\": \"stream\", \"id\": \"n\", \"server\": true, \"addr\": {\"type\": \"fd\", \"str\": \""
                            + fd + "\"}}",
                    "{\"type\": \"dgram\", \"id\": \"n\", \"local\": {\"type\": \"fd\", \"str\": \"" + fd + "\"}}",
                    "{\"type\": \"tap\", \"id\": \"n\", \"fd\": \"" + fd + "\"}")) {
                String reply = qmp.execute("{\"execute\": \"netdev_add\", \"arguments\": " + netdev + "}");
                assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"n: Can't use file descriptor " + fd
                        + ": Bad file descriptor\"}}", reply, netdev);
            }
            assertEquals("anon_inode:[eventpoll]", Files.readSymbolicLink(epoll).toString(),
                    "the loop's epoll stays open");
            assertTrue(qmp.execute("{\"execute\": \"query-version\"}").startsWith("{\"return\""), "and serves");
        }
    }

    /** Starts Patchbay with the default QMP socket; @return the socket once it listens */
    private Path start(String... netdevs) throws Exception {
        List<String> args = new ArrayList<>(List.of("--no-console"));
        args.addAll(List.of(netdevs));
        process = new ProcessBuilder(LauncherIT.javaCommand(args.toArray(String[]::new)))
                .directory(work.toFile())
                .redirectOutput(work.resolve("out.txt").toFile())
                .redirectError(work.resolve("err.txt").toFile())
                .start();
        process.getOutputStream().close();
        Path qmp = work.resolve("patchbay-qmp.sock");
        // A start that failed ends the wait at once; its stderr says why.
        Await.until(() -> !process.isAlive() || read("out.txt").contains("running:") && Ports.unixListening(qmp),
                STARTED, "start-up", () -> read("err.txt"));
        assertTrue(process.isAlive(), () -> "Patchbay did not start: " + read("err.txt"));
        return qmp;
    }

    /** @return one of Patchbay's descriptors whose link reads {@code target} */
    private Path ownDescriptor(String target) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + process.pid() + "/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(target);
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).findFirst().orElseThrow();
        }
    }

    private boolean answersANewClient() {
        try (QmpUnixClient client = new QmpUnixClient(work.resolve("patchbay-qmp.sock"))) {
            return client.execute("{\"execute\": \"query-version\"}").startsWith("{\"return\"");
        } catch (IOException e) {
            return false;
        }
    }

    private String probeNetwork() throws IOException {
        return query("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info network\"}}");
    }

    /** @return the reply to a command, sent by a client of its own */
    private String query(String command) throws IOException {
        try (QmpUnixClient client = new QmpUnixClient(work.resolve("patchbay-qmp.sock"))) {
            return client.execute(command);
        }
    }

    private void closeClients() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        clients.clear();
    }

    private static int openDescriptors(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) fds.count();
        }
    }

    private long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().orElseThrow().toNanos();
    }

    private long logBytes() throws IOException {
        return Files.size(work.resolve("out.txt")) + Files.size(work.resolve("err.txt"));
    }

    /** @return the numbers of the netdevs whose accept failed */
    private List<Integer> paused() throws IOException {
        Pattern failed = Pattern.compile(".*netdev s(\\d+): listening socket: accept failed.*");
        try (Stream<String> lines = Files.lines(work.resolve("err.txt"))) {
            return lines.map(failed::matcher).filter(Matcher::matches).map(m -> Integer.valueOf(m.group(1)))
                    .distinct().toList();
        }
    }

    private long lines(String text) throws IOException {
        try (Stream<String> lines = Files.lines(work.resolve("err.txt"))) {
            return lines.filter(l -> l.contains(text)).count();
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
