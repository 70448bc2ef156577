package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.inject.Inject;
import net.control.NetControl;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;

/** Uninstalling a driver bundle while frames flow: no exception anywhere, no thread left behind. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class UninstallUnderTrafficTest {

    private static final Duration BLAST = Duration.ofSeconds(2);

    /** Rounds of traffic seen before the bundle goes, so it really goes under traffic. */
    private static final int ROUNDS_BEFORE_UNINSTALL = 200;

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay();
    }

    @Test
    public void uninstallWhileFramesFlow() throws Exception {
        try (ErrorRecorder recorder = new ErrorRecorder(context); UdpPeer peer = new UdpPeer()) {
            MemWireDriver memwire = MemWireDriver.register(context);
            HubTopology net = new HubTopology(control, memwire, peer);
            net.addMemWires();
            MemWire m1 = memwire.wire("m1");
            memwire.wire("m2"); // open, with whatever the runtime started for it, before the snapshot
            // Equinox starts its refresh thread on the first refresh and keeps it: start it now.
            refresh();
            Set<Thread> before = liveThreads();

            Bundle udpwire = Provisioning.startUdpwire(context, control);
            net.addUdpWire();
            net.assertUdpReachesMemWires();

            try (Blaster blaster = new Blaster(peer, net.localPort("u1"), m1, BLAST, 10_000)) {
                Await.await("blaster to get going", () -> blaster.rounds() >= ROUNDS_BEFORE_UNINSTALL);
                int roundsAtUninstall = blaster.rounds();
                udpwire.uninstall();
                blaster.join(BLAST.plus(Await.TIMEOUT));
                assertNull("exception in the blaster", blaster.failure());
                assertTrue("traffic went on after the uninstall", blaster.rounds() > roundsAtUninstall);
            }
            refresh();

            Await.await("u1 to be pending", () -> control.client("u1").state().equals("pending"));
            assertEquals("p3", control.client("u1").peer());
            assertEquals("u1", control.client("p3").peer());
            net.assertMemWireReachesMemWireAfterTraffic();

            // Nothing is ignored by name: the blaster was joined above, and a framework thread that
            // is still finishing the refresh gets the await's time to end.
            Await.await("no thread left from the driver bundle", () -> {
                Set<Thread> added = new HashSet<>(liveThreads());
                added.removeAll(before);
                if (added.isEmpty()) {
                    return true;
                }
                throw new IllegalStateException("new threads: "
                        + added.stream().map(Thread::getName).collect(Collectors.joining(", ")));
            });
            assertEquals(List.of(), recorder.errors());
            assertTrue("the log listener heard Felix Log record the uninstall",
                    recorder.logged(Provisioning.UDPWIRE, "BundleEvent UNINSTALLED"));
        }
    }

    /** Refreshes the wiring so the uninstalled bundle's class loader is released, as an operator would. */
    private void refresh() throws InterruptedException {
        CountDownLatch refreshed = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(null, event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                refreshed.countDown();
            }
        });
        assertTrue("framework refresh finished", refreshed.await(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }
}
