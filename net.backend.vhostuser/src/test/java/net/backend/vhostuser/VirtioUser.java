package net.backend.vhostuser;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.testlib.Installed;
import net.testlib.Program;

/**
 * DPDK's testpmd with a {@code virtio_user} port: a real vhost-user front end, DPDK's own
 * virtio-net driver over shared memory (no hugepages), connecting to the back end's socket. It
 * busy-polls a core while it runs: close it in every test's clean-up.
 */
final class VirtioUser implements AutoCloseable {

    static final String BINARY = "dpdk-testpmd";
    /** The ring size of DPDK's virtio_user queues (its {@code queue_size} default). */
    static final int RING = 256;

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final Pattern RX = Pattern.compile("RX-packets:\\s+(\\d+)");
    private static final Pattern TX = Pattern.compile("TX-packets:\\s+(\\d+)");

    private final Program program;
    private final String prefix;

    private VirtioUser(Program program, String prefix) {
        this.program = program;
        this.prefix = prefix;
    }

    /**
     * @param socket the back end's socket
     * @param mode   testpmd's forwarding mode: {@code macswap}, {@code txonly}, {@code rxonly}
     * @param more   more testpmd options, e.g. {@code --txpkts=1514}
     */
    static VirtioUser start(Path dir, String name, Path socket, String mode, String... more) throws Exception {
        Installed.require(BINARY);
        String prefix = "patchbay-vu-" + ProcessHandle.current().pid() + "-" + PREFIXES.incrementAndGet();
        List<String> command = new java.util.ArrayList<>(List.of(BINARY, "--no-huge", "-m", "256", "--no-pci",
                "--file-prefix", prefix,
                "--vdev", "virtio_user0,path=" + socket + ",queues=1,queue_size=" + RING,
                "-l", "0,1", "--", "--forward-mode=" + mode, "--total-num-mbufs=4096", "--stats-period", "1"));
        command.addAll(List.of(more));
        return new VirtioUser(Program.start(dir, name, command), prefix);
    }

    Program program() {
        return program;
    }

    /** @return the frames its port received, from its latest statistics (printed once a second) */
    long rxPackets() {
        return last(RX);
    }

    /** @return the frames its port sent, from its latest statistics */
    long txPackets() {
        return last(TX);
    }

    /** @return whether its port's transmit count stood still over its last two statistics (a full ring) */
    boolean transmitStalled() {
        Matcher m = TX.matcher(program.stdout());
        long last = -1;
        long before = -1;
        while (m.find()) {
            before = last;
            last = Long.parseLong(m.group(1));
        }
        return last > 0 && last == before;
    }

    /** Sends it a signal ({@code STOP}, {@code CONT}, ...). */
    void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(program.process().pid())).start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " failed");
        }
    }

    String describe() {
        return program.describe() + " rx=" + rxPackets() + " tx=" + txPackets();
    }

    private long last(Pattern pattern) {
        Matcher m = pattern.matcher(program.stdout());
        long value = -1;
        while (m.find()) {
            value = Long.parseLong(m.group(1));
        }
        return value;
    }

    /** Ends it and removes the runtime directory DPDK leaves behind. */
    @Override
    public void close() {
        program.close();
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        for (Path runtime : new Path[] {Path.of("/var/run/dpdk"), Path.of(xdg != null ? xdg : "/tmp", "dpdk")}) {
            Path mine = runtime.resolve(prefix);
            try (var files = java.nio.file.Files.walk(mine)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(f);
                }
            } catch (java.io.IOException e) {
                // not there, or a leftover that costs only space: the next run has its own prefix
            }
        }
    }
}
