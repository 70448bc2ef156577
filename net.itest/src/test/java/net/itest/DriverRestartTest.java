package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import javax.inject.Inject;
import net.control.NetControl;
import net.control.dto.HubDTO;
import net.control.dto.NetClientDTO;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Frames cross a hub between a hot-installed driver's netdev and netdevs of a driver that stays
 * up; stopping the driver bundle parks its netdev as pending in place, starting it restores it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class DriverRestartTest {

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    private UdpPeer peer;
    private HubTopology net;
    private Bundle udpwire;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay();
    }

    @Before
    public void buildTopology() throws Exception {
        peer = new UdpPeer();
        net = new HubTopology(control, MemWireDriver.register(context), peer);
        udpwire = Provisioning.startUdpwire(context, control);
        net.addMemWires();
        net.addUdpWire();
    }

    @After
    public void closePeer() {
        peer.close();
    }

    @Test
    public void framesFlowThroughTheHub() throws Exception {
        assertEquals(List.of("p3", "p2", "p1"), hub().ports());
        assertEquals("u1", control.client("p3").peer());
        net.assertUdpReachesMemWires();
        net.assertMemWireReachesAll();
    }

    @Test
    public void stoppedDriverLeavesPendingNetdevInPlaceAndRestartRestoresIt() throws Exception {
        net.assertUdpReachesMemWires();

        udpwire.stop();
        Await.await("u1 to be pending", () -> control.client("u1").state().equals("pending"));
        NetClientDTO u1 = control.client("u1");
        assertEquals("udpwire", u1.type());
        assertEquals(net.udpWireOptions(), u1.options());
        assertEquals("p3", u1.peer());
        assertNull("info of a pending netdev", u1.info());
        NetClientDTO p3 = control.client("p3");
        assertEquals("u1", p3.peer());
        assertEquals(Integer.valueOf(HubTopology.HUB), p3.hub());
        assertTrue("hub 1 ports: " + hub().ports(), hub().ports().contains("p3"));
        net.assertMemWireReachesMemWire();

        udpwire.start();
        Await.await("u1 to be active again", () -> control.client("u1").state().equals("active"));
        assertEquals("p3", control.client("u1").peer());
        net.assertUdpReachesMemWires();
        net.assertMemWireReachesAll();
    }

    private HubDTO hub() {
        return control.network().hubs().stream().filter(h -> h.id() == HubTopology.HUB).findFirst()
                .orElseThrow(() -> new AssertionError("no hub " + HubTopology.HUB + " in " + control.network().hubs()));
    }
}
