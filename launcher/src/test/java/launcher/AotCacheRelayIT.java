package launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.testlib.Await;
import net.testlib.OsgiTest;
import net.testlib.Program;
import net.testlib.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TCP relay started by {@code ./patchbay} from its AOT cache compiles its read path a few
 * times and then keeps it. Under JDK 25 it did not: the bundle's class loader had never looked up
 * the type of {@code FramedConnection}'s channel field itself (with the cache, the bundle's other
 * classes arrive verified and linked, and nothing made it), so C2 took the field for null,
 * trapped on the first frame and compiled {@code readFrames} the same way again, hundreds of
 * times, with millisecond stalls each time (docs/performance.md, "A recompilation loop under the
 * AOT cache").
 */
@OsgiTest
class AotCacheRelayIT {

    /** The first start trains the cache: some seconds here, more on a loaded machine. */
    private static final Duration LISTENING = Duration.ofSeconds(120);
    private static final int FRAMES = 2_000_000;
    private static final int FRAME = 64;
    /**
     * Tiers 3 and 4, an OSR or two, and two more for each branch the first profile had not seen
     * (unstable_if: a partial frame, an empty read; 9–12 here, by the traffic's timing) are a
     * normal life; the loop made 85.
     */
    private static final int MOST_COMPILES = 30;

    @TempDir
    Path root;

    @Test
    void theRelaysReadPathIsCompiledAFewTimesNotOverAndOver() throws Exception {
        ScriptCheckout.copyTo(root);
        int[] ports = Ports.freeTcpPortsBelowEphemeral(2);
        Path classes = root.resolve("class-load.log");
        Path deoptimizations = root.resolve("deoptimization.log");
        List<String> compiles;
        try (Program patchbay = ScriptCheckout.start(root, "patchbay", env -> {
            env.put("PATCHBAY_AOT_CACHE", "1");
            // The training start sees these too (the cache wants the same flags); the relay's
            // start rewrites both logs.
            env.put("JAVA_TOOL_OPTIONS", "-XX:+UnlockDiagnosticVMOptions -XX:+PrintCompilation -Xlog:class+load=info:file="
                    + classes + " -Xlog:deoptimization=debug:file=" + deoptimizations);
        }, "-qmp", "none", "--no-console", "--deploy", root.resolve("deploy").toString(),
                "-netdev", "socket,id=a,listen=127.0.0.1:" + ports[0],
                "-netdev", "socket,id=b,listen=127.0.0.1:" + ports[1],
                "-netdev", "hubport,id=ha,hubid=0,netdev=a", "-netdev", "hubport,id=hb,hubid=0,netdev=b")) {
            Await.until(() -> Ports.tcpListening(ports[1]), LISTENING, "the relay listens", patchbay::describe);
            relay(ports[0], ports[1], patchbay);
            compiles = patchbay.stdout().lines()
                    .filter(l -> l.contains("net.backend.socket.FramedConnection::readFrames") && !l.contains("made not entrant"))
                    .toList();
        }
        assertTrue(Files.readAllLines(classes).stream()
                        .anyMatch(l -> l.contains("net.backend.socket.SocketDriver source: shared objects file")),
                "the relay ran from the AOT cache: " + classes);
        // The loop's own mark: C2 trapping where it had assumed the channel null (17 such traps
        // in FramedConnection within 4 s without the fix, none with it).
        List<String> nullTraps = Files.readAllLines(deoptimizations).stream()
                .filter(l -> l.contains("net.backend.socket.") && l.contains("null_assert"))
                .toList();
        assertEquals(List.of(), nullTraps, "traps on a field C2 took for null");
        assertTrue(!compiles.isEmpty() && compiles.size() <= MOST_COMPILES,
                compiles.size() + " compilations of readFrames:\n" + String.join("\n", compiles));
    }

    /** Frames in at one port, all of them out at the other. */
    private static void relay(int in, int out, Program patchbay) throws Exception {
        try (Socket sender = new Socket("127.0.0.1", in); Socket receiver = new Socket("127.0.0.1", out)) {
            AtomicLong received = new AtomicLong();
            Thread reader = Thread.ofPlatform().name("aot-it-receiver").start(() -> {
                try (DataInputStream from = new DataInputStream(receiver.getInputStream())) {
                    byte[] frame = new byte[FRAME];
                    while (received.get() < FRAMES && from.readInt() == FRAME) {
                        from.readFully(frame);
                        received.incrementAndGet();
                    }
                } catch (IOException e) {
                    // counted short: the wait below says how far it got
                }
            });
            // Both connections taken up before the first frame, or the hub drops it.
            Await.until(() -> patchbay.stderr().lines().filter(l -> l.contains(": connected: 127.0.0.1:")).count() == 2,
                    Await.DEFAULT, "both netdevs connected", patchbay::describe);
            try (DataOutputStream to = new DataOutputStream(new BufferedOutputStream(sender.getOutputStream(), 1 << 16))) {
                byte[] frame = new byte[FRAME];
                for (int i = 0; i < FRAMES; i++) {
                    to.writeInt(FRAME);
                    to.write(frame);
                }
                to.flush();
                Await.until(() -> received.get() == FRAMES, Duration.ofSeconds(60), "every frame relayed",
                        () -> received.get() + " of " + FRAMES);
            }
            reader.join(Duration.ofSeconds(10));
        }
    }
}
