package net.itest;

import static net.itest.HubTopology.args;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import java.util.regex.Pattern;
import javax.inject.Inject;
import net.api.ErrorClass;
import net.api.NetException;
import net.control.NetControl;
import net.control.Section;
import net.control.dto.DriverDTO;
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

/** A driver bundle installed into the running framework makes its netdev type usable. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class HotInstallTest {

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay();
    }

    @Test
    public void installedDriverBundleProvidesItsType() throws Exception {
        try (UdpPeer peer = new UdpPeer()) {
            assertFalse("udpwire listed before its bundle is installed", ControlQueries.driverListed(control, "udpwire"));
            assertAddFails("Parameter 'type' does not accept value 'udpwire'",
                    args("type", "udpwire", "id", "u0", "remote", peer.address()));

            Bundle bundle = Provisioning.startUdpwire(context, control);
            DriverDTO driver = control.drivers().stream().filter(d -> d.type().equals("udpwire")).findFirst().orElseThrow();
            assertEquals("netdev", driver.kind());
            assertEquals(Provisioning.UDPWIRE, driver.bundle());

            control.add(Section.NETDEV, args("type", "udpwire", "id", "u1", "remote", peer.address()));
            NetClientDTO u1 = control.client("u1");
            assertEquals("active", u1.state());
            assertEquals("netdev", u1.kind());
            assertEquals("udpwire", u1.type());
            assertTrue("info of u1: " + u1.info(),
                    u1.info().matches("udpwire: local=127\\.0\\.0\\.1:[1-9][0-9]* remote=" + Pattern.quote(peer.address())));
        }
    }

    @Test
    public void driverAndRuntimeRejectBadOptionsInQemuWords() throws Exception {
        Provisioning.startUdpwire(context, control);

        assertAddFails("Parameter 'remote' is missing", args("type", "udpwire", "id", "u2"));
        assertAddFails("host address 'nocolon' doesn't contain ':' separating host from port",
                args("type", "udpwire", "id", "u3", "remote", "nocolon"));
        assertAddFails("port number '70000' is invalid",
                args("type", "udpwire", "id", "u4", "remote", "127.0.0.1:70000"));
    }

    private void assertAddFails(String message, Map<String, Object> arguments) {
        NetException e = assertThrows(NetException.class, () -> control.add(Section.NETDEV, arguments));
        assertEquals(ErrorClass.GenericError, e.errorClass());
        assertEquals(message, e.getMessage());
        NetException gone = assertThrows("a failed add leaves nothing behind", NetException.class,
                () -> control.client((String) arguments.get("id")));
        assertEquals(ErrorClass.DeviceNotFound, gone.errorClass());
    }
}
