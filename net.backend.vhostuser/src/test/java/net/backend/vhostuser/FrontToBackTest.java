package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.testlib.Await;
import net.testlib.Cleanup;
import net.testlib.Frames;
import net.testlib.InjectDriver;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Patchbay's two vhost-user roles against each other over one socket: the front end
 * ({@code vhost-user}, on hub 1) shares its rings with the back end ({@code vhost-user-backend},
 * on hub 2), and frames cross both ways, whole and in order, small ones and jumbo ones that span
 * several buffers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrontToBackTest {

    @TempDir
    Path work;
    @AutoClose
    final Cleanup cleanup = new Cleanup();

    @Test
    void framesCrossBothWaysWholeAndInOrder() throws Exception {
        Path socket = work.resolve("vh.sock");
        Fixture fx = cleanup.add(new Fixture());
        fx.chardev("socket,id=cb,path=" + socket + ",server=on,wait=off");
        fx.netdev("vhost-user-backend,id=back,chardev=cb");
        fx.chardev("socket,id=cf,path=" + socket);
        fx.netdev("vhost-user,id=front,chardev=cf");
        fx.netdev(InjectDriver.TYPE + ",id=a");
        fx.netdev(InjectDriver.TYPE + ",id=b");
        fx.hub(1, "front", "a");
        fx.hub(2, "back", "b");
        fx.awaitCounter("front", VhostUserFrontEnd.CONNECTS, 1);

        crosses(fx, "a", "b", 0);
        crosses(fx, "b", "a", 10_000);
        for (String id : List.of("front", "back", "a", "b")) {
            Map<String, Long> drops = fx.client(id).counters().drops();
            assertEquals(0, drops.values().stream().mapToLong(Long::longValue).sum(), id + " " + drops);
        }
        assertEquals(0, fx.counter("front", VhostUserFrontEnd.REFUSED));
    }

    /**
     * The front end's link follows its back end, as QEMU's vhost-user netdev's does: down before
     * the first handshake, up once it is done, down when the back end goes (frames for it are
     * counted as {@code link-down}, the rest of the hub goes on), up again after the reconnection.
     */
    @Test
    void theFrontEndsLinkFollowsItsBackEnd() throws Exception {
        Path socket = work.resolve("vh.sock");
        Fixture fx = cleanup.add(new Fixture());
        fx.chardev("socket,id=cf,path=" + socket + ",reconnect=1");
        fx.netdev("vhost-user,id=front,chardev=cf");
        fx.netdev(InjectDriver.TYPE + ",id=a");
        fx.netdev(InjectDriver.TYPE + ",id=c");
        fx.hub(1, "front", "a", "c");
        assertFalse(fx.client("front").linkUp(), "no back end yet");
        fx.chardev("socket,id=cb,path=" + socket + ",server=on,wait=off");
        fx.netdev("vhost-user-backend,id=back,chardev=cb");
        fx.netdev(InjectDriver.TYPE + ",id=b");
        fx.hub(2, "back", "b");
        Await.until(() -> fx.client("front").linkUp(), "link up after the handshake");
        crosses(fx, "a", "b", 0);

        fx.runtime.netdevDel("back"); // it ends its session; the chardev stays, listening
        Await.until(() -> !fx.client("front").linkUp(), "link down once the back end is gone");
        int atC = fx.inject.get("c").count();
        fx.inject.get("a").send(List.of(Frames.testFrame(5000, 60), Frames.testFrame(5001, 60)));
        fx.awaitDrops("front", "link-down", 2);
        Await.until(() -> fx.inject.get("c").count() == atC + 2, "the hub's other port still gets frames");
        assertEquals(0, fx.drops("front", VhostUserFrontEnd.DISCONNECTED));

        fx.netdev("vhost-user-backend,id=back,chardev=cb");
        fx.netdev("hubport,id=h-back2,hubid=2,netdev=back"); // h-back stays, without its peer, as in QEMU
        fx.awaitCounter("front", VhostUserFrontEnd.CONNECTS, 2);
        Await.until(() -> fx.client("front").linkUp(), "link up again after the reconnection");
        crosses(fx, "a", "b", 10_000);
        assertEquals(2, fx.drops("front", "link-down"));
    }

    /** Sends 1000 frames of lengths from 60 to 9000 bytes, at most 100 ahead, and checks them at the other side. */
    private static void crosses(Fixture fx, String from, String to, int firstSeq) throws Exception {
        InjectDriver.Inject source = fx.inject.get(from);
        InjectDriver.Inject sink = fx.inject.get(to);
        int before = sink.count();
        List<byte[]> sent = new ArrayList<>();
        while (sent.size() < 1000) {
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int seq = firstSeq + sent.size() + i;
                batch.add(Frames.testFrame(seq, 60 + (seq * 397) % 8941));
            }
            source.send(batch);
            sent.addAll(batch);
            int expected = before + sent.size();
            Await.until(() -> sink.count() >= expected, Await.DEFAULT, from + " -> " + to + ": frames arrived",
                    () -> sink.count() - before + " of " + sent.size());
        }
        List<byte[]> got = sink.received().subList(before, before + sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertTrue(Arrays.equals(sent.get(i), got.get(i)), from + " -> " + to + ": frame " + i + " of "
                    + sent.get(i).length + " bytes");
        }
    }
}
