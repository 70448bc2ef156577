package net.itest;

import static net.itest.HubTopology.args;
import static net.itest.TextRows.cells;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import javax.inject.Inject;
import net.api.ErrorClass;
import net.api.NetException;
import net.control.NetControl;
import net.control.Section;
import net.control.qmp.QmpService;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.BundleContext;

/** The {@code net:} commands through a real Gogo session, checked on the text a person would see. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class GogoConsoleTest {

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Inject
    private CommandProcessor processor;

    @Configuration
    public Option[] config() {
        return Provisioning.console();
    }

    @Test
    public void commandsChangeAndShowTheNetwork() throws Exception {
        try (GogoSession gogo = GogoSession.open(context, processor)) {
            assertEquals("no netdevs\n", gogo.run("net:netdevs"));
            assertEquals("no netdevs\n", gogo.run("net:stats"));

            assertEquals("", gogo.run("net:add hubport id=h1 hubid=1"));
            assertEquals("", gogo.run("net:add hubport id=h2 hubid=1"));
            String netdevs = gogo.run("net:netdevs");
            assertTrue(netdevs, netdevs.startsWith("""
                    hub 1
                     \\ h2
                     \\ h1

                    NAME  KIND     TYPE     STATE   LINK  RX-FRAMES  RX-BYTES  TX-FRAMES  TX-BYTES  QUEUED  DROPS  DRIVER
                    """));
            assertEquals(netdevs, List.of("h1", "hubport", "hubport", "active", "up", "0", "0", "0", "0", "0", "-", "-"),
                    cells(netdevs, "h1"));

            assertEquals("", gogo.run("net:link h1 down"));
            assertFalse("set_link reached the runtime", control.client("h1").linkUp());
            String one = gogo.run("net:stats h1");
            assertEquals(one, 2, one.lines().count());
            assertEquals(one, "down", cells(one, "h1").get(4));
            String all = gogo.run("net:stats");
            assertEquals("header, then h1 and h2 in creation order: " + all, List.of("NAME", "h1", "h2"),
                    all.lines().map(line -> line.split(" ")[0]).toList());
            assertEquals("up", cells(all, "h2").get(4));

            assertEquals("no filters\n", gogo.run("net:filters"));
            // No filter driver is installed: the declared filter object stays pending.
            control.declare(Section.OBJECT, args("qom-type", "filter-dump", "id", "f0", "netdev", "h1", "queue", "rx"));
            String filters = gogo.run("net:filters");
            assertEquals(filters, List.of("ID", "TYPE", "NETDEV", "QUEUE", "STATUS", "STATE", "COUNTERS", "INFO"),
                    cells(filters, "ID"));
            assertEquals(filters, List.of("f0", "filter-dump", "h1", "rx", "on", "pending", "-", "-"), cells(filters, "f0"));

            String drivers = gogo.run("net:drivers");
            assertEquals(drivers, List.of("KIND", "TYPE", "BUNDLE", "VERSION", "INSTANCES"), cells(drivers, "KIND"));
            List<String> hubport = cells(drivers, "netdev");
            assertEquals(drivers, List.of("netdev", "hubport", "net.hub"), hubport.subList(0, 3));
            assertEquals(drivers, "2", hubport.get(4));

            assertEquals("", gogo.run("net:del h2"));
            assertEquals(ErrorClass.DeviceNotFound, assertThrows(NetException.class, () -> control.client("h2")).errorClass());
            assertEquals("", gogo.errors());
        }
    }

    @Test
    public void netNetdevsAnswersWhileANetdevsReleaseBlocks() throws Exception {
        MemWireDriver memwire = MemWireDriver.register(context);
        try (GogoSession gogo = GogoSession.open(context, processor); GogoSession other = GogoSession.open(context, processor)) {
            assertEquals("", gogo.run("net:add memwire id=slow releasems=3000"));
            assertEquals("", gogo.run("net:add memwire id=steady"));
            MemWire slow = memwire.wire("slow");
            long deleteStart = System.nanoTime();
            Thread deleting = Thread.ofPlatform().start(() -> {
                try {
                    other.run("net:del slow");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                assertTrue("the release began", slow.awaitRelease(Await.TIMEOUT));
                long start = System.nanoTime();
                String netdevs = gogo.run("net:netdevs");
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue("net:netdevs took " + millis + " ms while a release blocked", millis < 100);
                assertTrue(netdevs, netdevs.contains("steady: index=0,type=memwire"));
                assertTrue("net:del still waits for the release", deleting.isAlive());
            } finally {
                deleting.join(Await.TIMEOUT.toMillis());
            }
            assertFalse(deleting.isAlive());
            assertTrue("net:del returned after the release", System.nanoTime() - deleteStart >= 3_000_000_000L);
            assertFalse(ControlQueries.clientExists(control, "slow"));
        }
    }

    @Test
    public void errorsAreOneLineOfHmpText() throws Exception {
        try (GogoSession gogo = GogoSession.open(context, processor)) {
            assertEquals("Error: Device 'nosuch' not found\n", gogo.run("net:del nosuch"));
            assertEquals("", gogo.errors());
            assertEquals("Error: Device 'nosuch' not found\n", gogo.run("net:stats nosuch"));
            assertEquals("Error: Device 'nosuch' not found\n", gogo.run("net:link nosuch up"));
            assertEquals("Error: Parameter 'hubid' is missing\n", gogo.run("net:add hubport id=h9"));
            assertEquals("Expected 'on' or 'off'\nTry \"help net:link\" for more information\n", gogo.run("net:link h9 sideways"));
            // More words than a command takes: HMP's line, not Gogo's "Cannot coerce" exception.
            assertEquals("net:link: extraneous characters at the end of line\nTry \"help net:link\" for more information\n",
                    gogo.run("net:link h9 on extra"));
            assertEquals("net:del: extraneous characters at the end of line\nTry \"help net:del\" for more information\n",
                    gogo.run("net:del h9 h10"));
            assertEquals("net:netdevs: extraneous characters at the end of line\nTry \"help net:netdevs\" for more information\n",
                    gogo.run("net:netdevs all"));
            assertEquals("unknown command: 'nosuch'\n", gogo.run("nosuch h9"));
            assertEquals("net:del: string expected\nTry \"help net:del\" for more information\n", gogo.run("net:del"));
            assertEquals("net:link: string expected\nTry \"help net:link\" for more information\n", gogo.run("net:link h9"));
            assertEquals("net:add: string expected\nTry \"help net:add\" for more information\n", gogo.run("net:add"));
            assertEquals("", gogo.errors());
            assertFalse("a failed add leaves nothing behind", ControlQueries.clientExists(control, "h9"));
        }
    }

    @Test
    public void linesOfQemusMonitorRunAsInQemu() throws Exception {
        Await.await("the QMP server", () -> context.getServiceReference(QmpService.class) != null);
        try (GogoSession gogo = GogoSession.open(context, processor)) {
            assertEquals("", gogo.run("netdev_add hubport,id=h1,hubid=1"));
            assertEquals("", gogo.run("set_link h1 off"));
            assertFalse("set_link reached the runtime", control.client("h1").linkUp());
            // info is HMP's, not SCR's (which stays reachable as scr:info).
            assertEquals("hub 1\n \\ h1\n", gogo.run("info network")); // QEMU 7.2's, with \n for its \r\n
            assertEquals("unknown command: 'info nosuch'\n", gogo.run("info nosuch"));
            assertEquals("Error: Device 'nosuch' not found\n", gogo.run("netdev_del nosuch"));
            assertEquals("", gogo.run("netdev_del h1"));
            assertFalse(ControlQueries.clientExists(control, "h1"));
            assertEquals("", gogo.errors());
        }
    }

    @Test
    public void helpDescribesTheCommandsAndTheirParameters() throws Exception {
        try (GogoSession gogo = GogoSession.open(context, processor)) {
            String add = gogo.run("patchbay:help net:add");
            assertTrue(add, add.contains("add a netdev, like QEMU's netdev_add"));
            assertTrue(add, add.contains("netdev type, e.g. socket or hubport"));
            assertTrue(add, add.contains("options as key=value"));
            String link = gogo.run("patchbay:help net:link");
            assertEquals("the overloads that stand for missing arguments are not shown: " + link,
                    1, link.lines().filter(line -> line.startsWith("link")).count());
            assertTrue(link, link.contains("set the link of a netdev or NIC on or off"));
            assertTrue(link, link.contains("on or off"));

            // The launcher's profile searches the patchbay scope first; this session has no profile.
            String all = gogo.run("patchbay:help");
            for (String command : List.of("netdevs", "add", "del", "drivers", "link", "stats", "filters", "qmp")) {
                assertTrue("net:" + command + " in " + all, all.lines().anyMatch(line -> line.startsWith("  net:" + command + " ")));
            }
            assertTrue(all, all.lines().anyMatch(line -> line.matches("  net:add +add a netdev, like QEMU's netdev_add")));
            assertTrue(all, all.lines().anyMatch(line -> line.matches("  quit +stop Patchbay, like QEMU's quit.*")));
            assertTrue(all, all.contains("more groups (help GROUP lists one): "));
            String felix = gogo.run("patchbay:help felix");
            assertTrue(felix, felix.lines().anyMatch(line -> line.matches("  felix:lb +list all installed bundles")));
        }
    }
}
