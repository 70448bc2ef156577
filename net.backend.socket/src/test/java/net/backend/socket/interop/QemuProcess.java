package net.backend.socket.interop;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code qemu-system-x86_64} started for a test: its stderr goes to a file next to the
 * test's other files, and {@link #close()} always ends it (SIGTERM, then SIGKILL after a bounded
 * wait). A shutdown hook kills whatever a crashed or timed-out test left running.
 *
 * <p>The two roles are the verified recipes in the team's notes (qemu-test-recipes.md): a disk-less
 * PXE-booting PC whose iPXE ROM sends DHCPDISCOVERs about 2.5 s after start, and an ISA PC with an
 * ne2k whose netdev carries a {@code filter-dump}, recording every frame its backend receives. Both
 * always run under TCG: under nested KVM iPXE dies before sending anything.
 */
final class QemuProcess implements AutoCloseable {

    static final String BINARY = "qemu-system-x86_64";

    /** The MAC of the PXE source's e1000; its frames carry it as their source address. */
    static final String SOURCE_MAC = "52:54:00:12:34:56";

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "qemu-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path stderr;

    private QemuProcess(String name, Process process, Path stderr) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
    }

    /** @return the QEMU binary on the PATH, if there is one */
    static Optional<Path> binary() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, BINARY);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** @return whether QEMU is installed; the interop tests are skipped only when it is not */
    static boolean available() {
        return binary().isPresent();
    }

    /**
     * Starts QEMU with the given arguments.
     *
     * @param name a short name for the process (names its stderr file and diagnostics)
     * @param dir  where the stderr file goes
     * @param args the arguments after the binary
     * @return the running process
     * @throws IOException when it cannot be started
     */
    static QemuProcess start(String name, Path dir, List<String> args) throws IOException {
        Path bin = binary().orElseThrow(() -> new IOException(BINARY + " is not on the PATH"));
        List<String> command = new ArrayList<>();
        command.add(bin.toString());
        command.addAll(args);
        Path err = dir.resolve(name + ".stderr");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile());
        Process process = builder.start();
        LIVE.add(process);
        return new QemuProcess(name, process, err);
    }

    /**
     * A disk-less PC that PXE-boots from an e1000 with MAC {@value #SOURCE_MAC}: a real source of
     * DHCPDISCOVERs (and IPv6 router solicitations), retried for as long as it runs.
     *
     * @param dir        where its stderr goes
     * @param netdevArgs the VM's netdev without its id, e.g. {@code socket,connect=127.0.0.1:5555}
     * @return the running VM
     * @throws IOException when QEMU cannot be started
     */
    static QemuProcess pxeSource(Path dir, String netdevArgs) throws IOException {
        return start("pxe-source", dir, List.of("-M", "pc", "-accel", "tcg", "-nodefaults", "-no-user-config",
                "-display", "none", "-m", "64", "-boot", "n",
                "-netdev", netdevArgs + ",id=n0",
                "-device", "e1000,netdev=n0,mac=" + SOURCE_MAC));
    }

    /**
     * An ISA PC whose ne2k's netdev is recorded by {@code filter-dump} into {@code pcap}; it sends
     * nothing itself. QEMU creates the file (global header only) once its netdev is open.
     *
     * @param dir        where its stderr goes
     * @param netdevArgs the recorder's netdev without its id, e.g. {@code socket,listen=127.0.0.1:5556}
     * @param pcap       the capture file
     * @return the running recorder
     * @throws IOException when QEMU cannot be started
     */
    static QemuProcess recorder(Path dir, String netdevArgs, Path pcap) throws IOException {
        return start("recorder", dir, List.of("-M", "isapc", "-accel", "tcg", "-nodefaults", "-no-user-config",
                "-display", "none",
                "-netdev", netdevArgs + ",id=s0",
                "-device", "ne2k_isa,netdev=s0",
                "-object", "filter-dump,id=f1,netdev=s0,file=" + pcap.toAbsolutePath()));
    }

    String name() {
        return name;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** @return what QEMU wrote to stderr so far, for failure messages */
    String stderr() {
        try {
            return Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            return "(stderr unreadable: " + e.getMessage() + ")";
        }
    }

    /** @return one diagnostic line: name, state and stderr */
    String describe() {
        String state = process.isAlive() ? "running" : "exited " + process.exitValue();
        return name + " [pid " + process.pid() + ", " + state + "] stderr: " + stderr();
    }

    /** Ends QEMU: SIGTERM, then SIGKILL if it is still there after 3 s; waits for it to be gone. */
    @Override
    public void close() {
        try {
            process.destroy();
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
        }
    }

    // ---- ports and readiness ---------------------------------------------------------------

    /** @return a TCP port on 127.0.0.1 that was free a moment ago */
    static int freeTcpPort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a UDP port on 127.0.0.1 that was free a moment ago */
    static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether some process listens on a TCP port of 127.0.0.1 (Linux: {@code /proc/net/tcp}, state
     * 0A). Lets a test connect only once a QEMU {@code listen=} is ready, without connecting to it
     * (QEMU serves one client, so a probing connection would be its client).
     *
     * @param port the port
     * @return whether a listening socket has it
     */
    static boolean tcpListening(int port) {
        String localPort = String.format(":%04X", port);
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(localPort) && f[3].equals("0A")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether a unix stream socket listens at the path (Linux: {@code /proc/net/unix}, flag
     * {@code __SO_ACCEPTCON}).
     *
     * @param path the socket's path
     * @return whether a listening socket is bound there
     */
    static boolean unixListening(Path path) {
        String wanted = path.toAbsolutePath().toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 8 && f[7].equals(wanted) && (Long.parseLong(f[3], 16) & 0x10000) != 0) {
                    return true;
                }
            }
            return false;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
