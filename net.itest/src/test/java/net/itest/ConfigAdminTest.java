package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import net.control.NetControl;
import net.control.QemuOptions;
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
import org.osgi.service.cm.ConfigurationAdmin;

/** A {@code net.netdev} factory configuration is a netdev: created, recreated on update, deleted. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class ConfigAdminTest {

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay();
    }

    @Test
    public void factoryConfigurationIsANetdev() throws Exception {
        Provisioning.startUdpwire(context, control);
        MemWireDriver memwire = MemWireDriver.register(context);
        try (ErrorRecorder recorder = new ErrorRecorder(context);
                UdpPeer first = new UdpPeer(); UdpPeer second = new UdpPeer()) {
            HubTopology before = new HubTopology(control, memwire, first, "x1");
            before.addMemWires();

            org.osgi.service.cm.Configuration netdev = configAdmin.getFactoryConfiguration("net.netdev", "x", "?");
            netdev.update(properties(first));
            Await.await("x1 to be created and active", () -> control.client("x1").state().equals("active"));
            before.addUdpWirePort();
            before.assertMemWireReachesAll();
            before.assertUdpReachesMemWires();

            netdev.update(properties(second));
            Await.await("x1 to be recreated with the new remote",
                    () -> control.client("x1").info().endsWith(" remote=" + second.address()));
            NetClientDTO x1 = control.client("x1");
            assertEquals("active", x1.state());
            assertEquals("p3", x1.peer());
            assertEquals(HubTopology.args("remote", second.address()), x1.options());
            HubTopology after = new HubTopology(control, memwire, second, "x1");
            after.assertMemWireReachesAll();
            after.assertUdpReachesMemWires();

            netdev.delete();
            Await.await("x1 to be deleted with its configuration", () -> !ControlQueries.clientExists(control, "x1"));
            assertNull("p3's peer after x1 was deleted", control.client("p3").peer());
            assertEquals("hub of p3", Integer.valueOf(HubTopology.HUB), control.client("p3").hub());
            assertEquals(List.of(), recorder.errors());
        }
    }

    /**
     * The file owns the netdev: {@code netdev_del} deletes it (the file stays, Patchbay writes
     * none), and a change to the file makes it again instead of failing on the missing netdev.
     */
    @Test
    public void aChangedConfigurationRecreatesANetdevDeletedOverQmp() throws Exception {
        try (ErrorRecorder recorder = new ErrorRecorder(context)) {
            org.osgi.service.cm.Configuration netdev = configAdmin.getFactoryConfiguration("net.netdev", "m", "?");
            netdev.update(hubport("1"));
            Await.await("m2 on hub 1", () -> ControlQueries.clientExists(control, "m2")
                    && Integer.valueOf(1).equals(control.client("m2").hub()));
            control.netdevDel("m2");
            netdev.update(hubport("2"));
            Await.await("m2 again, on hub 2", () -> ControlQueries.clientExists(control, "m2")
                    && Integer.valueOf(2).equals(control.client("m2").hub()));
            netdev.update(hubport("3"));
            Await.await("m2 follows its file", () -> Integer.valueOf(3).equals(control.client("m2").hub()));
            netdev.delete();
            Await.await("m2 deleted with its configuration", () -> !ControlQueries.clientExists(control, "m2"));
            assertEquals(List.of(), recorder.errors());
        }
    }

    /**
     * A configuration without an id (a file with none in it and none after the dash of its name)
     * is listed under its name, failed with QEMU's words, until it names its netdev.
     */
    @Test
    public void aConfigurationWithoutAnIdIsListedFailedUnderItsName() throws Exception {
        org.osgi.service.cm.Configuration netdev = configAdmin.getFactoryConfiguration("net.netdev", "n", "?");
        Dictionary<String, Object> properties = hubport("3");
        properties.remove("id");
        netdev.update(properties);
        String name = netdev.getPid();
        Await.await(name + " listed failed", () -> ControlQueries.clientExists(control, name)
                && control.client(name).state().equals("failed"));
        assertEquals("Parameter 'id' is missing", control.client(name).error());
        properties.put("id", "h3");
        netdev.update(properties);
        Await.await("h3 made once the file names it", () -> ControlQueries.clientExists(control, "h3"));
        assertFalse("the failed entry stays", ControlQueries.clientExists(control, name));
        netdev.delete();
        Await.await("h3 deleted with its file", () -> !ControlQueries.clientExists(control, "h3"));
    }

    /**
     * A configuration the runtime keeps nothing of (no type, an id QEMU refuses, an id another
     * netdev has) is listed under its name too, failed with QEMU's words, not only logged.
     */
    @Test
    public void aConfigurationWithoutATypeOrWithABadOrTakenIdIsListedFailed() throws Exception {
        control.add(Section.NETDEV, QemuOptions.parse("hubport,id=taken,hubid=1", "type"));
        Map<String, String> expected = Map.of(
                "type", "Parameter 'type' is missing",
                "9x", "Parameter 'id' expects an identifier",
                "taken", "Duplicate ID 'taken' for netdev");
        for (Map.Entry<String, String> wrong : expected.entrySet()) {
            org.osgi.service.cm.Configuration netdev = configAdmin.getFactoryConfiguration("net.netdev", "w", "?");
            Dictionary<String, Object> properties = hubport("4");
            if (wrong.getKey().equals("type")) {
                properties.remove("type");
            } else {
                properties.put("id", wrong.getKey());
            }
            netdev.update(properties);
            String name = netdev.getPid();
            Await.await(name + " listed failed", () -> ControlQueries.clientExists(control, name)
                    && control.client(name).state().equals("failed"));
            assertEquals(wrong.getValue(), control.client(name).error());
            properties.put("type", "hubport");
            properties.put("id", "h4");
            netdev.update(properties);
            Await.await("h4 made once the file is right", () -> ControlQueries.clientExists(control, "h4"));
            assertFalse("the failed entry goes", ControlQueries.clientExists(control, name));
            netdev.delete();
            Await.await("h4 deleted with its file", () -> !ControlQueries.clientExists(control, "h4"));
        }
        control.netdevDel("taken");
    }

    /** A file its driver refuses is a failed netdev, with the reason, until the file is right. */
    @Test
    public void aConfigurationItsDriverRefusesIsAFailedNetdev() throws Exception {
        Provisioning.startUdpwire(context, control);
        try (ErrorRecorder recorder = new ErrorRecorder(context); UdpPeer peer = new UdpPeer()) {
            org.osgi.service.cm.Configuration netdev = configAdmin.getFactoryConfiguration("net.netdev", "u", "?");
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put("type", "udpwire");
            properties.put("id", "u5");
            netdev.update(properties);
            Await.await("u5 listed failed", () -> ControlQueries.clientExists(control, "u5")
                    && control.client("u5").state().equals("failed"));
            assertEquals("Parameter 'remote' is missing", control.client("u5").error());
            Await.await("the failure logged", () -> recorder.logged("net.hub",
                    "netdev u5 (udpwire) failed: Parameter 'remote' is missing"));
            properties.put("remote", peer.address());
            netdev.update(properties);
            Await.await("u5 active once its file is right", () -> control.client("u5").state().equals("active"));
            netdev.delete();
            Await.await("u5 deleted with its file", () -> !ControlQueries.clientExists(control, "u5"));
            assertEquals(List.of(), recorder.errors());
        }
    }

    private static Dictionary<String, Object> hubport(String hubid) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("type", "hubport");
        properties.put("id", "m2");
        properties.put("hubid", hubid);
        return properties;
    }

    private static Dictionary<String, Object> properties(UdpPeer peer) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("type", "udpwire");
        properties.put("id", "x1");
        properties.put("remote", peer.address());
        return properties;
    }
}
