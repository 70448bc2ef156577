package net.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import net.backend.socket.SocketDriver;
import net.control.Section;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.Background;
import net.testlib.Frames;
import net.testlib.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@code echo} behind a real TCP socket netdev, with the test as the peer speaking QEMU's socket
 * wire (a 4-byte big-endian length, then the frame): a peer that stops reading pauses the echo,
 * and nothing is lost once it reads again.
 */
@Timeout(60)
class EchoSocketTest {

    private static final int FRAMES = 100_000;

    @Test
    void aPeerThatStopsReadingLosesNothing() throws Exception {
        int port = Ports.freeTcpPort();
        try (TestRuntime rt = new TestRuntime(1).netdevType("socket", new SocketDriver())
                .nicModel("echo", new EchoModel(new MacTable()))) {
            rt.netdev("socket,id=s0,listen=127.0.0.1:" + port);
            rt.hub("s0");
            rt.netdev("hubport,id=he,hubid=1");
            rt.add(Section.DEVICE, "echo,id=e0,netdev=he,mac=52:54:00:ab:cd:ef");
            try (Socket peer = new Socket("127.0.0.1", port)) {
                peer.setSoTimeout(10_000); // a read that waits longer fails the test; closing unblocks the writer
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(peer.getOutputStream(), 1 << 16));
                AtomicReference<Throwable> failed = new AtomicReference<>();
                // Written without reading: the socket buffers fill both ways and the writer blocks.
                Thread writer = Background.start(() -> {
                    try {
                        for (int i = 0; i < FRAMES; i++) {
                            byte[] frame = Frames.testFrame(i, 64);
                            out.writeInt(frame.length);
                            out.write(frame);
                        }
                        out.flush();
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                });
                rt.awaitCounter("e0", "paused", 1);

                DataInputStream in = new DataInputStream(new BufferedInputStream(peer.getInputStream(), 1 << 16));
                for (int i = 0; i < FRAMES; i++) {
                    byte[] frame = new byte[in.readInt()];
                    in.readFully(frame);
                    byte[] sent = Frames.testFrame(i, 64);
                    assertArrayEquals(EchoModelTest.swapped(sent), frame, "frame #" + i + " back, in order");
                }
                writer.join(10_000);
                assertFalse(writer.isAlive(), "the writer finished");
                assertEquals(null, failed.get());
            }
            Await.until(() -> rt.client("e0").counters().txFrames() == FRAMES, "the echo's count");
            for (String id : List.of("e0", "he", "h-s0", "s0")) {
                Map<String, Long> drops = rt.client(id).counters().drops();
                assertEquals(0, drops.values().stream().mapToLong(Long::longValue).sum(), id + " dropped " + drops);
            }
        }
    }
}
