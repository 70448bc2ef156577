package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.inject.Inject;
import net.control.NetControl;
import net.control.dto.NetClientDTO;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.BundleContext;

/** A watched folder: driver bundles and netdev configuration files go live when copied in. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class FileInstallTest {

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay();
    }

    @Test
    public void driverBundleFollowsItsFile() throws Exception {
        try (ErrorRecorder recorder = new ErrorRecorder(context);
                WatchedFolder deploy = WatchedFolder.start(context)) {
            assertFalse("udpwire listed before its jar is deployed", ControlQueries.driverListed(control, "udpwire"));
            Path jar = deploy.copyIn(Provisioning.jar(Provisioning.UDPWIRE));
            Await.await("udpwire driver after the jar was copied in", () -> ControlQueries.driverListed(control, "udpwire"));
            Files.delete(jar);
            Await.await("udpwire driver to go after the jar was deleted",
                    () -> !ControlQueries.driverListed(control, "udpwire"));
            assertEquals(List.of(), recorder.errors());
        }
    }

    @Test
    public void netdevConfigurationFileFollowsItsDriverAndItsFile() throws Exception {
        try (ErrorRecorder recorder = new ErrorRecorder(context);
                WatchedFolder deploy = WatchedFolder.start(context); UdpPeer peer = new UdpPeer()) {
            Path cfg = deploy.write("net.netdev-u9.cfg",
                    "type=udpwire\nid=u9\nremote=" + peer.address() + "\n");
            Await.await("u9 to be declared, pending its driver", () -> control.client("u9").state().equals("pending"));
            NetClientDTO u9 = control.client("u9");
            assertEquals("udpwire", u9.type());
            assertEquals(HubTopology.args("remote", peer.address()), u9.options());

            deploy.copyIn(Provisioning.jar(Provisioning.UDPWIRE));
            Await.await("u9 to be active once the driver is deployed",
                    () -> control.client("u9").state().equals("active"));
            assertTrue("info of u9: " + control.client("u9").info(),
                    control.client("u9").info().endsWith(" remote=" + peer.address()));

            Files.delete(cfg);
            Await.await("u9 to be deleted with its file", () -> !ControlQueries.clientExists(control, "u9"));
            assertEquals(List.of(), recorder.errors());
        }
    }
}
