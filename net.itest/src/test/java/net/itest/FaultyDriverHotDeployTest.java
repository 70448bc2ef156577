package net.itest;

import static net.itest.HubTopology.args;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import net.api.NetClientDriver;
import net.control.NetControl;
import net.control.NetEventListener;
import net.control.Section;
import net.control.dto.NetClientDTO;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A driver with a bug deployed into the running framework: the netdevs it opens fail (state,
 * {@code X_NETDEV_FAILED}, one logged error each), while the hub forwards between the other
 * netdevs and queries are answered.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class FaultyDriverHotDeployTest {

    private static final Duration QUERY_BOUND = Duration.ofSeconds(3);

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay();
    }

    @Test
    public void aHotDeployedDriverThatThrowsFailsOnlyItsOwnNetdevs() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        ServiceRegistration<NetEventListener> listening = context.registerService(NetEventListener.class,
                (name, data, time) -> events.add(name + " " + data), null);
        try (ErrorRecorder recorder = new ErrorRecorder(context)) {
            MemWireDriver memwire = MemWireDriver.register(context);
            control.add(Section.NETDEV, args("type", MemWireDriver.TYPE, "id", "m1"));
            control.add(Section.NETDEV, args("type", MemWireDriver.TYPE, "id", "m2"));
            control.add(Section.NETDEV, args("type", "hubport", "id", "h1", "hubid", 1, "netdev", "m1"));
            control.add(Section.NETDEV, args("type", "hubport", "id", "h2", "hubid", 1, "netdev", "m2"));
            control.declare(Section.NETDEV, args("type", FaultyWireDriver.TYPE, "id", "f-open", "fail", "open"));
            assertEquals("pending", control.client("f-open").state());

            ServiceRegistration<NetClientDriver> faulty = FaultyWireDriver.register(context);
            Await.await("f-open to fail", () -> "failed".equals(control.client("f-open").state()));
            assertEquals("Device 'faultywire' could not be initialized", control.client("f-open").error());

            control.add(Section.NETDEV, args("type", FaultyWireDriver.TYPE, "id", "f-recv", "fail", "receive"));
            control.add(Section.NETDEV, args("type", "hubport", "id", "h3", "hubid", 1, "netdev", "f-recv"));
            MemWire m1 = memwire.wire("m1");
            MemWire m2 = memwire.wire("m2");
            for (int i = 0; i < 100; i++) {
                byte[] frame = {(byte) i, 0x42, 0x42, 0x42};
                m1.inject(frame).get(5, TimeUnit.SECONDS);
                assertArrayEquals("frame " + i + " through the hub", frame, m2.poll(Duration.ofSeconds(5)));
            }
            Await.await("f-recv to fail", () -> "failed".equals(control.client("f-recv").state()));
            assertEquals("the driver's receive() failed (see the log)", control.client("f-recv").error());
            Await.await("both events", () -> events.containsAll(List.of(
                    "X_NETDEV_FAILED {id=f-open, reason=Device 'faultywire' could not be initialized}",
                    "X_NETDEV_FAILED {id=f-recv, reason=the driver's receive() failed (see the log)}")));

            long start = System.nanoTime();
            List<NetClientDTO> clients = control.network().clients();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue("the query took " + took.toMillis() + " ms", took.compareTo(QUERY_BOUND) < 0);
            for (NetClientDTO c : clients) {
                String expected = c.name().startsWith("f-") ? "failed" : "active";
                assertEquals(c.name(), expected, c.state());
            }
            for (String id : List.of("f-open", "f-recv")) {
                assertEquals("one logged error for " + id + ": " + recorder.errors(), 1,
                        recorder.errors().stream().filter(e -> e.contains(id + ":")).count());
            }
            faulty.unregister();
            control.netdevDel("f-recv");
            control.netdevDel("f-open");
        } finally {
            listening.unregister();
        }
    }
}
