package net.testlib;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * DPDK's {@code dpdk-testpmd} as a real vhost-user back end (the verified recipe of vhost-user.md):
 * one {@code net_vhost} port on a unix socket, no hugepages, forwarding in a mode of the test's
 * ({@code macswap} sends every frame back with its MACs swapped, {@code txonly} generates load,
 * {@code rxonly} sinks it). It busy-polls its forwarding core while it runs, so close it in every
 * test's clean-up ({@link Program#close()}: SIGTERM, then SIGKILL).
 */
public final class Testpmd implements AutoCloseable {

    public static final String BINARY = "dpdk-testpmd";
    /** The ring size of a {@linkplain #virtioUser virtio_user} port's queues. */
    public static final int VIRTIO_USER_RING = 256;

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final Pattern RX = Pattern.compile("RX-packets:\\s+(\\d+)");
    private static final Pattern TX = Pattern.compile("TX-packets:\\s+(\\d+)");
    private static final Pattern TX_ERRORS = Pattern.compile("TX-errors:\\s+(\\d+)");

    private final Program program;
    private final String prefix;

    private Testpmd(Program program, String prefix) {
        this.program = program;
        this.prefix = prefix;
    }

    /**
     * Starts testpmd as the socket's server and returns once the socket listens.
     *
     * @param dir    the test's directory (testpmd's output goes there)
     * @param name   a short name for files and messages
     * @param socket the vhost-user socket
     * @param mode   the forwarding mode: {@code macswap}, {@code txonly}, {@code rxonly}, ...
     * @param queues the port's queue pairs
     */
    public static Testpmd server(Path dir, String name, Path socket, String mode, int queues) throws Exception {
        Testpmd pmd = start(dir, name, socket, mode, queues);
        try {
            Await.until(() -> Ports.unixListening(socket) || !pmd.program.isAlive(), Duration.ofSeconds(30),
                    "testpmd's vhost-user socket " + socket, pmd.program::describe);
            if (!pmd.program.isAlive()) {
                throw new IOException("testpmd exited before its socket listened: " + pmd.describe());
            }
            return pmd;
        } catch (Exception | Error e) {
            pmd.close();
            throw e;
        }
    }

    private static Testpmd start(Path dir, String name, Path socket, String mode, int queues) throws IOException {
        List<String> more = queues > 1 ? List.of("--rxq=" + queues, "--txq=" + queues) : List.of();
        return start(dir, name, "net_vhost0,iface=" + socket + ",queues=" + queues, mode, more);
    }

    /**
     * Starts testpmd with a {@code virtio_user} port: DPDK's own virtio-net driver as a vhost-user
     * front end (one queue pair, rings of {@link #VIRTIO_USER_RING} entries, memory shared without
     * hugepages) that connects to a back end listening on {@code socket}.
     *
     * @param mode the forwarding mode: {@code macswap}, {@code txonly}, {@code rxonly}, ...
     * @param more more testpmd options, e.g. {@code --txpkts=1514}
     */
    public static Testpmd virtioUser(Path dir, String name, Path socket, String mode, String... more)
            throws IOException {
        return start(dir, name, "virtio_user0,path=" + socket + ",queues=1,queue_size=" + VIRTIO_USER_RING, mode,
                List.of(more));
    }

    private static Testpmd start(Path dir, String name, String vdev, String mode, List<String> more)
            throws IOException {
        Installed.require(BINARY); // one line naming dpdk-dev when it is missing
        String prefix = "patchbay-" + ProcessHandle.current().pid() + "-" + PREFIXES.incrementAndGet();
        // stdbuf: testpmd's statistics would sit in a 4 KiB stdio buffer when written to a file.
        List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", BINARY, "--no-huge", "-m", "256", "--no-pci",
                // Its own runtime directory, so that two testpmds (or a leftover one) never meet.
                "--file-prefix", prefix, "--vdev", vdev,
                "-l", "0,1", "--", "--forward-mode=" + mode, "--total-num-mbufs=4096", "--stats-period", "1"));
        command.addAll(more);
        return new Testpmd(Program.start(dir, name, command), prefix);
    }

    /** @return the process */
    public Program program() {
        return program;
    }

    /** @return the frames its port received, from its latest statistics (printed once a second) */
    public long rxPackets() {
        return last(RX);
    }

    /** @return the frames its port sent, from its latest statistics */
    public long txPackets() {
        return last(TX);
    }

    /** @return whether its port's transmit count stood still over its last two statistics (a full ring) */
    public boolean transmitStalled() {
        Matcher m = TX.matcher(program.stdout());
        long last = -1;
        long before = -1;
        while (m.find()) {
            before = last;
            last = Long.parseLong(m.group(1));
        }
        return last > 0 && last == before;
    }

    /**
     * Sends it a signal: {@code STOP} freezes it with its rings as they are, and returns once every
     * thread of it is stopped (a signal lands asynchronously: a forwarding thread may take a few
     * more frames before); {@code CONT} resumes it.
     */
    public void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(program.process().pid())).start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + program.process().pid() + " failed");
        }
        if (signal.equals("STOP")) {
            Await.until(this::stopped, Await.DEFAULT, "testpmd stopped by SIGSTOP", this::describe);
        }
    }

    /** @return whether every thread of the process is stopped by a signal (state T in its stat) */
    private boolean stopped() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + program.process().pid() + "/task"))) {
            for (Path task : tasks.toList()) {
                String stat = Files.readString(task.resolve("stat"));
                if (!stat.substring(stat.lastIndexOf(')') + 2).startsWith("T")) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Kills it at once (SIGKILL), as a crash would: no goodbye on the socket. */
    public void kill() throws InterruptedException {
        program.process().destroyForcibly();
        program.process().waitFor();
    }

    /** @return one line for failure messages */
    public String describe() {
        return "testpmd rx=" + rxPackets() + " tx=" + txPackets() + " tx-errors=" + last(TX_ERRORS) + "; "
                + program.describe();
    }

    private long last(Pattern pattern) {
        Matcher m = pattern.matcher(program.stdout());
        long value = -1;
        while (m.find()) {
            value = Long.parseLong(m.group(1));
        }
        return value;
    }

    /** Ends it (SIGTERM, then SIGKILL) and removes the runtime directory DPDK leaves behind. */
    @Override
    public void close() {
        program.close();
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        for (Path runtime : new Path[] {Path.of("/var/run/dpdk"), Path.of(xdg != null ? xdg : "/tmp", "dpdk")}) {
            deleteTree(runtime.resolve(prefix));
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover directory costs nothing but space; the next run uses a fresh prefix
        }
    }
}
