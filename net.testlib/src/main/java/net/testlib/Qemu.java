package net.testlib;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code qemu-system-x86_64} as a test peer, in the two roles of the team's verified recipes
 * (qemu-test-recipes.md): a disk-less PC PXE-booting from an e1000, whose iPXE sends DHCPDISCOVERs
 * about 2.5 s after start for as long as it runs; and an ISA PC with an ne2k whose netdev carries a
 * {@code filter-dump}, recording every frame its backend receives and sending nothing. Both always
 * run under TCG: under nested KVM iPXE dies before sending anything.
 */
public final class Qemu {

    public static final String BINARY = "qemu-system-x86_64";

    /** The MAC of the PXE source's e1000; its frames carry it as their source address. */
    public static final String SOURCE_MAC = "52:54:00:12:34:56";

    /** The PXE source's boot ROM, where Debian's ipxe-qemu puts it (one of QEMU's ROM folders). */
    public static final String PXE_ROM = "/usr/lib/ipxe/qemu/pxe-e1000.rom";

    private Qemu() {
    }

    /** Starts QEMU with these arguments after the binary; fails the test when QEMU is not installed. */
    public static Program start(Path dir, String name, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(BINARY);
        command.addAll(args);
        return Program.start(dir, name, command);
    }

    /**
     * Starts a machine-less QEMU whose QMP monitor listens on a unix socket, and returns once it
     * greets a client. Listening is not enough: the socket's file appears at bind(), before
     * listen(), and QEMU moves the monitor to its I/O thread after listen(), so a client that
     * connects in between may never be greeted (seen twice in CI, never reproduced here).
     */
    public static Program startWithQmp(Path dir, String name, Path socket) throws Exception {
        return startWithQmp(dir, name, socket, List.of("-M", "none"));
    }

    /**
     * As {@link #startWithQmp(Path, String, Path)}, with a machine and devices of the caller's.
     *
     * @param machine the arguments before QMP's, e.g. {@code -M pc -accel tcg -device e1000,...}
     *                ({@code -nodefaults -display none} are added)
     */
    public static Program startWithQmp(Path dir, String name, Path socket, List<String> machine) throws Exception {
        List<String> args = new ArrayList<>(machine);
        args.addAll(List.of("-nodefaults", "-display", "none", "-qmp", "unix:" + socket + ",server=on,wait=off"));
        Program program = start(dir, name, args);
        try {
            GreetingProbe probe = new GreetingProbe(socket);
            Await.until(() -> probe.greeted() || !program.isAlive(), Duration.ofSeconds(20),
                    "QEMU's QMP greeting", () -> "last probe: " + probe.outcome + "\n" + program.describe());
            if (!program.isAlive()) {
                throw new IOException("QEMU exited before its monitor greeted: " + program.describe());
            }
            return program;
        } catch (Exception | Error e) {
            program.close();
            throw e;
        }
    }

    /** One connection at a time to a QMP socket, each closed after the greeting's first bytes or a bound. */
    private static final class GreetingProbe {

        private static final byte[] GREETING = "{\"QMP\"".getBytes(StandardCharsets.US_ASCII);
        private static final Duration PATIENCE = Duration.ofSeconds(2);

        private final Path socket;
        /** What the last connection ended with, for a timeout's message. */
        String outcome = "none yet";

        GreetingProbe(Path socket) {
            this.socket = socket;
        }

        boolean greeted() throws IOException {
            ByteBuffer start = ByteBuffer.allocate(GREETING.length);
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                    Selector selector = Selector.open()) {
                try {
                    channel.connect(UnixDomainSocketAddress.of(socket));
                } catch (IOException e) {
                    outcome = "connect: " + e.getMessage(); // not bound or not listening yet
                    return false;
                }
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
                long deadline = System.nanoTime() + PATIENCE.toNanos();
                while (start.hasRemaining()) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        outcome = "no greeting within " + PATIENCE.toMillis() + " ms";
                        return false;
                    }
                    selector.select(left);
                    if (channel.read(start) < 0) {
                        outcome = "closed after " + start.position() + " bytes";
                        return false;
                    }
                }
            }
            outcome = new String(start.array(), StandardCharsets.US_ASCII);
            return Arrays.equals(start.array(), GREETING);
        }
    }

    /** @param netdev the VM's netdev without its id, e.g. {@code socket,connect=127.0.0.1:5555} */
    public static Program pxeSource(Path dir, String netdev) throws IOException {
        return pxeSource(dir, "pxe-source", netdev);
    }

    public static Program pxeSource(Path dir, String name, String netdev) throws IOException {
        Installed.require(PXE_ROM); // without it QEMU says only "failed to find romfile"
        return start(dir, name, List.of("-M", "pc", "-accel", "tcg", "-nodefaults", "-no-user-config",
                "-display", "none", "-m", "64", "-boot", "n",
                "-netdev", netdev + ",id=n0",
                "-device", "e1000,netdev=n0,mac=" + SOURCE_MAC));
    }

    /**
     * QEMU creates {@code pcap} (global header only) once the netdev is open: {@link Pcap#started}.
     *
     * @param netdev the recorder's netdev without its id, e.g. {@code socket,listen=127.0.0.1:5556}
     */
    public static Program recorder(Path dir, String netdev, Path pcap) throws IOException {
        return recorder(dir, "recorder", netdev, pcap);
    }

    public static Program recorder(Path dir, String name, String netdev, Path pcap) throws IOException {
        return start(dir, name, List.of("-M", "isapc", "-accel", "tcg", "-nodefaults", "-no-user-config",
                "-display", "none",
                "-netdev", netdev + ",id=s0",
                "-device", "ne2k_isa,netdev=s0",
                "-object", "filter-dump,id=f1,netdev=s0,file=" + pcap.toAbsolutePath()));
    }

    /**
     * Runs {@code qemu-system-x86_64 -M none} with a netdev it must refuse, for its message.
     *
     * @param netdev  the {@code -netdev} options, e.g. {@code user,id=e,dns=x}
     * @param wrapper words to run QEMU under (e.g. {@code setpriv ...}), or none
     * @return the first line QEMU prints, after its {@code qemu-system-x86_64: -netdev OPTIONS: }
     *         prefix; QEMU must exit within 10 s
     */
    public static String netdevError(String netdev, String... wrapper) throws IOException, InterruptedException {
        return netdevError(List.of(), netdev, wrapper);
    }

    /**
     * As {@link #netdevError(String, String...)}, with options the netdev needs before it, e.g.
     * the {@code -chardev} it names.
     *
     * @param before options before {@code -netdev}, e.g. {@code -chardev socket,id=c0,...}
     */
    public static String netdevError(List<String> before, String netdev, String... wrapper)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(wrapper));
        command.addAll(List.of(BINARY, "-M", "none", "-nodefaults", "-display", "none"));
        command.addAll(before);
        command.addAll(List.of("-netdev", netdev));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("QEMU accepted " + netdev + " and kept running");
            }
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            String prefix = BINARY + ": -netdev " + netdev + ": ";
            String first = out.lines().findFirst().orElse("");
            return first.startsWith(prefix) ? first.substring(prefix.length()) : first;
        } finally {
            p.destroyForcibly();
            p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
