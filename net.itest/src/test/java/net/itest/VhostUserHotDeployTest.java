package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.inject.Inject;
import net.chardev.Chardevs;
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
import org.osgi.framework.ServiceReference;

/**
 * The vhost-user bundle uninstalled and installed again under traffic. A UDP socket netdev feeds
 * hub 1, which has another socket netdev and a {@code vhost-user} front end; the front end's back
 * end is a {@code vhost-user-backend} on hub 2, in the same runtime, over a unix socket chardev
 * pair. Without the bundle both vhost-user netdevs are pending and hub 1 goes on without losing a
 * frame; with it again they handshake anew and frames cross to hub 2 again.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class VhostUserHotDeployTest {

    private static final String VHOSTUSER = "net.backend.vhostuser";
    private static final String CHARDEV = "net.chardev";
    private static final Duration QUIET = Duration.ofMillis(200);

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    /** The runtime and the chardevs, whose API this test uses (its probe imports it at start). */
    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(List.of(Provisioning.patchbay()));
        options.add(bundle(Provisioning.url(CHARDEV)));
        return options.toArray(Option[]::new);
    }

    @Test
    public void bothRolesGoPendingWithTheBundleAndCarryFramesAgainWhenItComesBack() throws Exception {
        Path dir = Files.createTempDirectory("vhost-itest");
        Path socket = dir.resolve("vh.sock");
        Provisioning.startDriver(context, control, Provisioning.SOCKET, "socket");
        Chardevs chardevs = Await.value("the chardev service", () -> {
            ServiceReference<Chardevs> ref = context.getServiceReference(Chardevs.class);
            return ref == null ? null : context.getService(ref);
        });
        Bundle vhost = Provisioning.startDriver(context, control, VHOSTUSER, "vhost-user");
        Await.await("vhost-user-backend in control.drivers()",
                () -> ControlQueries.driverListed(control, "vhost-user-backend"));
        try (UdpPeer feed = new UdpPeer(); UdpPeer rest = new UdpPeer(); UdpPeer across = new UdpPeer()) {
            int in = freeUdpPort();
            netdev("socket,id=s0,udp=" + feed.address() + ",localaddr=127.0.0.1:" + in);
            netdev("socket,id=s1,udp=" + rest.address() + ",localaddr=127.0.0.1:" + freeUdpPort());
            netdev("socket,id=s2,udp=" + across.address() + ",localaddr=127.0.0.1:" + freeUdpPort());
            chardevs.add(QemuOptions.parse("socket,id=cb,path=" + socket + ",server=on,wait=off", "backend"));
            chardevs.add(QemuOptions.parse("socket,id=cf,path=" + socket + ",reconnect=1", "backend"));
            netdev("vhost-user-backend,id=back,chardev=cb");
            netdev("vhost-user,id=front,chardev=cf");
            for (String id : new String[] {"s0", "s1", "front"}) {
                netdev("hubport,id=h-" + id + ",hubid=1,netdev=" + id);
            }
            netdev("hubport,id=h-back,hubid=2,netdev=back");
            netdev("hubport,id=h-s2,hubid=2,netdev=s2");
            Await.await("the front end's link up (handshake done)", () -> control.client("front").linkUp());
            assertCrosses(feed, in, rest, across, "before");

            // Traffic into hub 1 while the bundle goes: every frame still reaches s1, in order.
            List<byte[]> atRest = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            Thread reader = Thread.ofPlatform().name("vhost-itest-reader").start(() -> {
                try {
                    while (running.get() || sent.get() > atRest.size()) {
                        byte[] frame = rest.receive(QUIET);
                        if (frame != null) {
                            atRest.add(frame);
                        } else if (!running.get()) {
                            return; // the rest of the stream is not coming
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread sender = Thread.ofPlatform().name("vhost-itest-sender").start(() -> {
                try {
                    while (running.get()) {
                        feed.send(in, Frames.tagged("flow-" + sent.get()));
                        sent.incrementAndGet();
                        LockSupport.parkNanos(500_000); // a steady stream, well within the UDP buffers
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                Await.await("the stream at s1", () -> atRest.size() >= 50);
                vhost.uninstall();
                Await.await("front to be pending", () -> control.client("front").state().equals("pending"));
                Await.await("back to be pending", () -> control.client("back").state().equals("pending"));
                int atPending = atRest.size();
                Await.await("the stream at s1 with the netdevs pending", () -> atRest.size() >= atPending + 50);
            } finally {
                running.set(false);
                sender.join(Await.TIMEOUT.toMillis());
            }
            reader.join(Await.TIMEOUT.toMillis()); // it ends once the whole stream is in, or nothing more comes
            int total = sent.get();
            assertEquals("frames of the stream at s1", total, atRest.size());
            for (int i = 0; i < total; i++) {
                assertTrue("frame flow-" + i + " in order, not " + Frames.describe(atRest.get(i)),
                        Arrays.equals(Frames.tagged("flow-" + i), atRest.get(i)));
            }
            for (String id : new String[] {"s0", "s1", "h-s0", "h-s1"}) {
                assertEquals(id + " drops", Map.of(), nonZero(control.client(id).counters().drops()));
            }

            Provisioning.startDriver(context, control, VHOSTUSER, "vhost-user");
            Await.await("front to be active again", () -> control.client("front").state().equals("active"));
            Await.await("back to be active again", () -> control.client("back").state().equals("active"));
            Await.await("the front end's link up again", () -> control.client("front").linkUp());
            discard(across); // the stream's frames that crossed before the bundle went
            assertCrosses(feed, in, rest, across, "after");
        } finally {
            for (String id : new String[] {"front", "back"}) {
                if (ControlQueries.clientExists(control, id)) {
                    control.netdevDel(id);
                }
            }
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private void netdev(String options) throws Exception {
        control.add(Section.NETDEV, QemuOptions.parse(options, "type"));
    }

    /** A frame into s0 reaches s1 on hub 1 and, through the front and back ends, s2 on hub 2. */
    private static void assertCrosses(UdpPeer feed, int in, UdpPeer rest, UdpPeer across, String tag) throws Exception {
        byte[] frame = Frames.tagged("cross-" + tag);
        feed.send(in, frame);
        assertTrue("the frame at s1 " + tag, Arrays.equals(frame, rest.receive(Await.TIMEOUT)));
        assertTrue("the frame at s2 " + tag, Arrays.equals(frame, across.receive(Await.TIMEOUT)));
    }

    /** Reads what the peer got until it gets nothing more. */
    private static void discard(UdpPeer peer) throws Exception {
        while (peer.receive(QUIET) != null) {
            // older frames
        }
    }

    private static Map<String, Long> nonZero(Map<String, Long> counters) {
        Map<String, Long> left = new java.util.TreeMap<>(counters);
        left.values().removeIf(v -> v == 0);
        return left;
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }
}
