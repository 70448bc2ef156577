package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.control.QemuOptions;
import net.control.Section;
import net.testlib.Await;
import net.testlib.InjectDriver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The NIC side of the runtime through QMP and the command line's {@code -nic} and
 * {@code -net nic}: {@code announce-self} and HMP's {@code announce_self}, device paths in
 * {@code DEVICE_DELETED} and {@code NIC_RX_FILTER_CHANGED}, {@code set_link} on a NIC and on its
 * netdev, with the test NIC {@code nic-x} plugged into {@code inject} netdevs that record what the
 * NIC sends. The same against real QEMU 7.2: {@code QemuNicTest}.
 */
class NicCommandsTest extends QmpServerFixture {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** QEMU 7.2's self-announcement from 52:54:00:12:34:56, as read from its socket netdev. */
    static final String QEMU_RARP_525400123456 = "ffffffffffff525400123456803500010800060400035254001234560000000052"
            + "540012345600000000000000000000000000000000000000000000";

    private final InjectDriver wires = new InjectDriver();
    private QmpTestClient c;

    @BeforeEach
    void nics() throws Exception {
        runtime.bindNetClientDriver(wires, Map.of(NetClientDriver.TYPE, InjectDriver.TYPE));
        c = negotiated();
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"inject\", \"id\": \"w1\"}}");
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"inject\", \"id\": \"w2\"}}");
        c.assertEmptyReturn("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nic-x\", \"id\": \"n1\", \"netdev\": \"w1\"}}");
        c.assertEmptyReturn("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nic-x\", \"id\": \"n2\", \"netdev\": \"w2\","
                + " \"mac\": \"52:54:00:ab:cd:ef\"}}");
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private String hmp(String commandLine) throws Exception {
        JsonNode reply = c.execute("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": "
                + JSON.writeValueAsString(commandLine) + "}}");
        assertNotNull(reply.get("return"), reply.toString());
        return reply.get("return").textValue();
    }

    private String announce(String arguments) throws Exception {
        return c.executeRaw("{\"execute\": \"announce-self\", \"arguments\": {" + arguments + "}}");
    }

    private int frames(String wire) {
        return wires.get(wire).count();
    }

    /** Asserts the count stays as it is for a while: the rounds are over, no more come. */
    private void assertStays(String wire, int count, Duration during) throws Exception {
        long end = System.nanoTime() + during.toNanos();
        while (System.nanoTime() - end < 0) {
            assertEquals(count, frames(wire), "no more rounds on " + wire);
            Thread.sleep(20);
        }
    }

    @Test
    void announceSelfSendsQemusRarpFromEveryNicRoundsTimes() throws Exception {
        long start = System.nanoTime();
        assertEquals("{\"return\": {}}", announce("\"initial\": 50, \"max\": 550, \"rounds\": 3, \"step\": 100"));
        // The first round goes out before the reply, as QEMU sends it.
        assertEquals(1, frames("w1"));
        assertEquals(1, frames("w2"));
        assertEquals(QEMU_RARP_525400123456, HexFormat.of().formatHex(wires.get("w1").received().get(0)));
        assertEquals(QEMU_RARP_525400123456.replace("525400123456", "525400abcdef"),
                HexFormat.of().formatHex(wires.get("w2").received().get(0)));
        Await.until(() -> frames("w1") == 3 && frames("w2") == 3, "three rounds from each NIC");
        // Pauses of 50 ms, then 150 ms: never sooner.
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos());
        assertStays("w1", 3, Duration.ofMillis(700));
        assertEquals(3, frames("w2"));
    }

    @Test
    void announceSelfOnlyFromTheNicsNamedAndNeverPastMax() throws Exception {
        long start = System.nanoTime();
        assertEquals("{\"return\": {}}", announce("\"initial\": 100, \"max\": 150, \"rounds\": 4, \"step\": 100,"
                + " \"interfaces\": [\"n2\", \"nosuch\"]"));
        assertEquals(0, frames("w1"));
        assertEquals(1, frames("w2"));
        Await.until(() -> frames("w2") == 4, "four rounds");
        long took = System.nanoTime() - start;
        // 100, then 200 capped at 150, then 150: 400 ms, however long the rounds would grow.
        assertTrue(took >= Duration.ofMillis(400).toNanos() && took < Duration.ofMillis(2000).toNanos(), took + " ns");
        assertEquals(0, frames("w1"));
        assertEquals("{\"return\": {}}", announce("\"initial\": 0, \"max\": 0, \"rounds\": 1, \"step\": 0, \"interfaces\": []"));
        assertEquals(0, frames("w1"));
        assertEquals(4, frames("w2"));
    }

    @Test
    void anAnnouncementWithTheSameIdReplacesTheRunningOneOthersRunBeside() throws Exception {
        assertEquals("{\"return\": {}}", announce("\"initial\": 60000, \"max\": 60000, \"rounds\": 2, \"step\": 0,"
                + " \"interfaces\": [\"n1\"], \"id\": \"a\""));
        assertEquals("{\"return\": {}}", announce("\"initial\": 60000, \"max\": 60000, \"rounds\": 2, \"step\": 0,"
                + " \"interfaces\": [\"n1\"], \"id\": \"b\""));
        assertEquals(2, frames("w1"));
        // Replaces a: its second round (a minute away) never comes; this one's does, at once.
        assertEquals("{\"return\": {}}", announce("\"initial\": 0, \"max\": 0, \"rounds\": 2, \"step\": 0,"
                + " \"interfaces\": [\"n1\"], \"id\": \"a\""));
        Await.until(() -> frames("w1") == 4, "both rounds of the new a");
        // Without an id it is QEMU's one unnamed announcement: a negative count runs until replaced.
        assertEquals("{\"return\": {}}", announce("\"initial\": 10, \"max\": 10, \"rounds\": -1, \"step\": 0,"
                + " \"interfaces\": [\"n2\"]"));
        Await.until(() -> frames("w2") >= 3, "rounds of a negative count");
        assertEquals("{\"return\": {}}", announce("\"initial\": 0, \"max\": 0, \"rounds\": 0, \"step\": 0"));
        int stopped = frames("w2");
        assertStays("w2", stopped, Duration.ofMillis(200));
        assertEquals(4, frames("w1"));
    }

    @Test
    void announceSelfArgumentsCheckedAsQemuChecksThem() throws Exception {
        c.assertError("{\"execute\": \"announce-self\"}", "GenericError", "Parameter 'initial' is missing");
        c.assertError("{\"execute\": \"announce-self\", \"arguments\": {\"initial\": 1, \"max\": 2, \"rounds\": 3}}",
                "GenericError", "Parameter 'step' is missing");
        String base = "\"initial\": 50, \"max\": 550, \"rounds\": 5, \"step\": 100";
        c.assertError("{\"execute\": \"announce-self\", \"arguments\": {\"max\": 550, \"rounds\": 5, \"step\": 100, \"initial\": \"50\"}}",
                "GenericError", "Invalid parameter type for 'initial', expected: integer");
        c.assertError("{\"execute\": \"announce-self\", \"arguments\": {\"initial\": 1.0, \"max\": 550, \"rounds\": 5, \"step\": 100}}",
                "GenericError", "Invalid parameter type for 'initial', expected: integer");
        c.assertError("{\"execute\": \"announce-self\", \"arguments\": {\"initial\": 9223372036854775808, \"max\": 550,"
                + " \"rounds\": 5, \"step\": 100}}", "GenericError", "Invalid parameter type for 'initial', expected: integer");
        c.assertError("{\"execute\": \"announce-self\", \"arguments\": {" + base + ", \"interfaces\": \"n1\"}}",
                "GenericError", "Invalid parameter type for 'interfaces', expected: array");
        c.assertError("{\"execute\": \"announce-self\", \"arguments\": {" + base + ", \"interfaces\": [\"n1\", 1]}}",
                "GenericError", "Invalid parameter type for 'interfaces[1]', expected: string");
        c.assertError("{\"execute\": \"announce-self\", \"arguments\": {" + base + ", \"id\": 5}}",
                "GenericError", "Invalid parameter type for 'id', expected: string");
        c.assertError("{\"execute\": \"announce-self\", \"arguments\": {" + base + ", \"foo\": 1}}",
                "GenericError", "Parameter 'foo' is unexpected");
        assertEquals(0, frames("w1"), "a refused announcement sends nothing");
        JsonNode commands = c.execute("{\"execute\": \"query-commands\"}").get("return");
        assertTrue(commands.toString().contains("{\"name\":\"announce-self\"}"), commands.toString());
    }

    @Test
    void hmpAnnounceSelfTakesQemusDefaultTiming() throws Exception {
        assertEquals("announce_self [interfaces] [id] -- Trigger GARP/RARP announcements\r\n", hmp("help announce_self"));
        assertEquals("announce_self: extraneous characters at the end of line\r\n"
                + "Try \"help announce_self\" for more information\r\n", hmp("announce_self n1 a b"));
        long start = System.nanoTime();
        assertEquals("", hmp("announce_self n2,n9 x"));
        assertEquals(1, frames("w2"));
        // Five rounds, pauses of 50, 150, 250 and 350 ms.
        Await.until(() -> frames("w2") == 5, "the default five rounds");
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(800).toNanos());
        assertEquals(0, frames("w1"));
    }

    @Test
    void aNicWhoseLinkIsDownAnnouncesNothing() throws Exception {
        c.assertEmptyReturn("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"n1\", \"up\": false}}");
        c.assertEmptyReturn("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"w2\", \"up\": false}}");
        assertEquals("{\"return\": {}}", announce("\"initial\": 0, \"max\": 0, \"rounds\": 1, \"step\": 0"));
        assertEquals(0, frames("w1"));
        assertEquals(0, frames("w2"), "a netdev's link takes its NIC's down with it");
    }

    @Test
    void setLinkOnANicDownsTheNicOnlyOnItsNetdevBoth() throws Exception {
        c.assertEmptyReturn("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"n1\", \"up\": false}}");
        assertEquals(false, runtime.client("n1").linkUp());
        assertEquals(true, runtime.client("w1").linkUp(), "QEMU leaves the netdev up");
        // ... and tells the netdev, whose own link is still up.
        assertEquals(List.of(true), wires.get("w1").linkChanges());
        c.assertEmptyReturn("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"n1\", \"up\": true}}");
        c.assertEmptyReturn("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"w1\", \"up\": false}}");
        assertEquals(false, runtime.client("w1").linkUp());
        assertEquals(false, runtime.client("n1").linkUp(), "the NIC goes down with its netdev");
        assertEquals(List.of(true, true, false), wires.get("w1").linkChanges());
        c.assertEmptyReturn("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"w1\", \"up\": true}}");
        assertEquals(true, runtime.client("n1").linkUp());
    }

    @Test
    void anonymousDevicesArePeripheralAnonPathsNumberedAsQemuNumbersThem() throws Exception {
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"inject\", \"id\": \"w3\"}}");
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"inject\", \"id\": \"w4\"}}");
        c.assertEmptyReturn("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nic-x\", \"netdev\": \"w3\"}}");
        // A device that fails once it is named has used its number up, as in QEMU.
        c.assertError("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nic-x\", \"netdev\": \"nosuch\"}}",
                "GenericError", "Property 'nic-x.netdev' can't find value 'nosuch'");
        c.assertError("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nosuch\", \"netdev\": \"nosuch\"}}",
                "GenericError", "'nosuch' is not a valid device model name");
        c.assertEmptyReturn("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nic-x\", \"netdev\": \"w4\"}}");
        // Named as QEMU names it: by how many NICs of the model there are, n1 and n2 included.
        assertEquals("nic-x.2", runtime.client("w3").peer());
        assertEquals("nic-x.3", runtime.client("w4").peer());
        // An anonymous device has no id: its net client's name does not name it.
        c.assertError("{\"execute\": \"device_del\", \"arguments\": {\"id\": \"nic-x.3\"}}", "DeviceNotFound",
                "Device 'nic-x.3' not found");
        c.assertError("{\"execute\": \"device_del\", \"arguments\": {\"id\": \"/machine/peripheral-anon/device[7]\"}}",
                "DeviceNotFound", "Device '/machine/peripheral-anon/device[7]' not found");

        rxFilterChanged("nic-x.3");
        assertEquals("\"event\": \"NIC_RX_FILTER_CHANGED\", \"data\": {\"path\": \"/machine/peripheral-anon/device[2]\"}}",
                eventWithoutTimestamp());
        rxFilterChanged("n1");
        assertEquals("\"event\": \"NIC_RX_FILTER_CHANGED\", \"data\": {\"name\": \"n1\", \"path\": \"/machine/peripheral/n1\"}}",
                eventWithoutTimestamp());

        c.assertEmptyReturn("{\"execute\": \"device_del\", \"arguments\": {\"id\": \"/machine/peripheral-anon/device[2]\"}}");
        assertEquals("\"event\": \"DEVICE_DELETED\", \"data\": {\"path\": \"/machine/peripheral-anon/device[2]\"}}",
                eventWithoutTimestamp());
        c.assertEmptyReturn("{\"execute\": \"device_del\", \"arguments\": {\"id\": \"/machine/peripheral/n1\"}}");
        assertEquals("\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"n1\", \"path\": \"/machine/peripheral/n1\"}}",
                eventWithoutTimestamp());
        // Numbers are never given again.
        c.assertEmptyReturn("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nic-x\", \"netdev\": \"w4\"}}");
        c.assertEmptyReturn("{\"execute\": \"device_del\", \"arguments\": {\"id\": \"/machine/peripheral-anon/device[3]\"}}");
        assertEquals("\"event\": \"DEVICE_DELETED\", \"data\": {\"path\": \"/machine/peripheral-anon/device[3]\"}}",
                eventWithoutTimestamp());
    }

    private void rxFilterChanged(String nic) {
        NetClientContext context = nics.contexts.get(nic);
        context.loop().execute(context::rxFilterChanged);
    }

    /** @return the event as written, after its timestamp (QEMU writes that first) */
    private String eventWithoutTimestamp() throws Exception {
        String raw = c.nextEventRaw();
        return raw.substring(raw.indexOf("\"event\""));
    }

    @Test
    void deviceAddRefusesWhatTheModelDoesNotHaveInQemusWords() throws Exception {
        c.assertError("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nic-x\", \"netdev\": \"w9\", \"x-foo\": 5}}",
                "GenericError", "Property 'nic-x.netdev' can't find value 'w9'");
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"inject\", \"id\": \"w9\"}}");
        c.assertError("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nic-x\", \"netdev\": \"w9\", \"x-foo\": 5}}",
                "GenericError", "Property 'nic-x.x-foo' not found");
        assertNull(runtime.client("w9").peer(), "nothing is left behind");
    }

    // ---- -nic and -net nic -------------------------------------------------------------------------

    private String add(Section section, String options) throws NetException {
        return runtime.add(section, QemuOptions.parse(options, section.typeKey()));
    }

    private String error(Section section, String options) {
        return assertThrows(NetException.class, () -> add(section, options)).getMessage();
    }

    private String mainMac(String nic) throws NetException {
        return runtime.queryRxFilter(nic).getFirst().mainMac();
    }

    @Test
    void nicOptionMakesANetdevNamedAsQemuNamesItAndAnAnonymousNicOnIt() throws Exception {
        String netdev = add(Section.NIC, "inject,model=nic-x,mac=0x10203");
        assertTrue(netdev.matches("#net0[0-9]{2}"), netdev);
        String nic = runtime.client(netdev).peer();
        assertEquals("nic-x.2", nic, "a NIC named after its model, counting n1 and n2");
        assertEquals("00:00:00:01:02:03", mainMac(nic), "QEMU's number form sets the last three bytes");
        assertTrue(add(Section.NIC, "inject,model=nic-x").matches("#net1[0-9]{2}"));
        assertEquals("k1", add(Section.NIC, "inject,id=k1,model=nic-x,mac=52-54-00-00-00-07"));
        assertEquals("nic-x.4", runtime.client("k1").peer());
        assertEquals("52:54:00:00:00:07", mainMac("nic-x.4"));
        // The netdev is a netdev: netdev_del takes it, and its NIC loses carrier.
        runtime.netdevDel("k1");
        assertEquals(false, runtime.client("nic-x.4").linkUp());
        assertNull(add(Section.NIC, "none"));
        assertEquals(null, add(Section.NIC, "none,model=nic-x"));

        long clients = runtime.network().clients().size();
        assertEquals("invalid syntax for ethernet address", error(Section.NIC, "inject,model=nic-x,mac=zz"));
        assertEquals("NIC cannot have multicast MAC address", error(Section.NIC, "inject,model=nic-x,mac=01:00:00:00:00:01"));
        assertEquals("Parameter 'model' is missing", error(Section.NIC, "inject"));
        assertEquals("Unsupported NIC model: nosuch", error(Section.NIC, "inject,model=nosuch"));
        assertEquals("Invalid parameter 'macaddr'", error(Section.NIC, "inject,model=nic-x,macaddr=52:54:00:00:00:01"));
        assertEquals("Parameter 'id' expects an identifier", error(Section.NIC, "inject,id=9x,model=nic-x"));
        assertEquals("network backend 'user' is not compiled into this binary", error(Section.NIC, "model=nic-x"));
        assertEquals("Parameter 'type' does not accept value 'nosuch'", error(Section.NIC, "nosuch,model=nic-x"));
        assertEquals(clients, runtime.network().clients().size(), "a refused -nic leaves nothing behind");
    }

    @Test
    void legacyNetNicGivesItsMacaddrToTheModelAsMac() throws Exception {
        assertEquals("nic-x.2", add(Section.NET, "nic,model=nic-x,macaddr=52:54:00:00:00:09,id=foo,addr=5,vectors=0"));
        assertEquals("52:54:00:00:00:09", mainMac("nic-x.2"));
        assertEquals("hub0port0", runtime.client("nic-x.2").peer(), "on hub 0, named after its model, not its id");
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"inject\", \"id\": \"w3\"}}");
        assertEquals("nic-x.3", add(Section.NET, "nic,model=nic-x,netdev=w3"));
        assertEquals("w3", runtime.client("nic-x.3").peer(), "netdev= plugs it in directly, on no hub");

        long clients = runtime.network().clients().size();
        assertEquals("Invalid parameter 'mac'", error(Section.NET, "nic,model=nic-x,mac=52:54:00:00:00:01"));
        assertEquals("invalid syntax for ethernet address", error(Section.NET, "nic,model=nic-x,macaddr=52:54:00:00:00"));
        assertEquals("NIC cannot have multicast MAC address (odd 1st byte)",
                error(Section.NET, "nic,model=nic-x,macaddr=33:33:00:00:00:01"));
        assertEquals("netdev 'nosuch' not found", error(Section.NET, "nic,model=nic-x,netdev=nosuch"));
        assertEquals(clients, runtime.network().clients().size(), "a refused -net nic leaves nothing behind");
    }
}
