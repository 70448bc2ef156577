package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.inject.Inject;
import net.control.NetControl;
import net.control.Section;
import net.control.dto.NetClientDTO;
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

/**
 * NIC models hot-deploy like drivers: with frames flowing on hub 1 into {@code sink} NICs, stopping
 * and uninstalling net.nic leaves the NICs pending in place (name, peer, options) while the rest
 * of the hub goes on; installing it again restores them with the same addresses, given or
 * default, even when a deleted NIC left a gap in the default sequence.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class NicHotDeployTest {

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay();
    }

    @Test
    public void nicsGoPendingWithTheBundleAndComeBackInPlace() throws Exception {
        try (ErrorRecorder recorder = new ErrorRecorder(context)) {
            MemWireDriver memwire = MemWireDriver.register(context);
            HubTopology net = new HubTopology(control, memwire, null);
            net.addMemWires();
            Bundle nic = Provisioning.startDriver(context, control, Provisioning.NIC, "sink");
            for (String port : new String[] {"p3", "p4", "p5"}) {
                control.add(Section.NETDEV, HubTopology.args("type", "hubport", "id", port, "hubid", HubTopology.HUB));
            }
            // k0 takes :56 and goes again; k1 keeps :57 with :56 free below it; k2 has its own.
            control.add(Section.DEVICE, HubTopology.args("driver", "sink", "id", "k0", "netdev", "p3"));
            control.add(Section.DEVICE, HubTopology.args("driver", "sink", "id", "k1", "netdev", "p4"));
            control.add(Section.DEVICE, HubTopology.args("driver", "sink", "id", "k2", "netdev", "p5",
                    "mac", "02:00:00:00:00:02"));
            control.deviceDel("k0");
            Await.await("k0 to be gone", () -> !ControlQueries.clientExists(control, "k0"));
            assertEquals("52:54:00:12:34:57", mac("k1"));
            assertEquals("02:00:00:00:00:02", mac("k2"));

            MemWire m1 = memwire.wire("m1");
            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread traffic = Thread.ofPlatform().name("itest-nic-traffic").start(() -> {
                try {
                    for (int i = 0; sending.get(); i++) {
                        m1.inject(Frames.tagged("to every port #" + i)).get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                        java.util.concurrent.locks.LockSupport.parkNanos(500_000);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            try {
                Await.await("frames into k1", () -> control.client("k1").counters().rxFrames() > 100);

                nic.stop();
                Await.await("k1 to be pending", () -> control.client("k1").state().equals("pending"));
                nic.uninstall();
                refresh();
                for (String id : new String[] {"k1", "k2"}) {
                    NetClientDTO pending = control.client(id);
                    assertEquals(id + " state", "pending", pending.state());
                    assertEquals(id + " kind", "nic", pending.kind());
                }
                assertEquals("p4", control.client("k1").peer());
                assertEquals("k1", control.client("p4").peer());
                assertEquals(Map.of("mac", "02:00:00:00:00:02"), control.client("k2").options());
                // The runtime keeps the default k1 got, as QEMU's mac property holds it.
                assertEquals(Map.of("mac", "52:54:00:12:34:57"), control.client("k1").options());
                net.assertMemWireReachesMemWireAfterTraffic();

                Provisioning.startDriver(context, control, Provisioning.NIC, "sink");
                Await.await("k1 to be active again", () -> control.client("k1").state().equals("active"));
                Await.await("k2 to be active again", () -> control.client("k2").state().equals("active"));
                assertEquals("p4", control.client("k1").peer());
                assertEquals("p5", control.client("k2").peer());
                assertEquals("the default address survives", "52:54:00:12:34:57", mac("k1"));
                assertEquals("02:00:00:00:00:02", mac("k2"));
                long before = control.client("k1").counters().rxFrames();
                Await.await("frames into k1 again", () -> control.client("k1").counters().rxFrames() > before + 100);
                control.add(Section.DEVICE, HubTopology.args("driver", "sink", "id", "k3", "netdev", "p3"));
                assertEquals("the free default", "52:54:00:12:34:56", mac("k3"));
            } finally {
                sending.set(false);
                traffic.join(Await.TIMEOUT.toMillis());
            }
            assertNull("traffic failed", failure.get());
            assertEquals(java.util.List.of(), recorder.errors());
        }
    }

    private String mac(String nic) throws Exception {
        return control.queryRxFilter(nic).get(0).mainMac();
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
}
