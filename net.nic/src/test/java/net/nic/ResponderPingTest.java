package net.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import net.backend.tap.TapDriver;
import net.control.Section;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.Host;
import net.testlib.KernelTest;
import net.testlib.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Linux pings two responders, one per family, from a network namespace whose only interface is a
 * TAP on a Patchbay hub: its ARP, its neighbour discovery (duplicate address detection first)
 * and its ping judge the replies.
 */
@Timeout(60)
@KernelTest
class ResponderPingTest {

    private final String tap = Host.name("pbr");
    private final TestRuntime rt = new TestRuntime(1).netdevType("tap", new TapDriver())
            .nicModel("responder", new ResponderModel(new MacTable()));
    private Netns namespace;

    @AfterEach
    void cleanUp() {
        rt.close(); // the tap goes with its descriptor, before its namespace
        if (namespace != null) {
            namespace.close();
        }
    }

    /** Runs a command in the namespace; it must succeed. */
    private String inNamespace(String... command) throws IOException, InterruptedException {
        Host.Result r = Host.run(20, namespace.exec(command));
        assertEquals(0, r.status(), String.join(" ", command) + "\n" + r.output());
        return r.output();
    }

    /** Runs a ping in the namespace that must get every answer. */
    private void answered(int count, String... ping) throws IOException, InterruptedException {
        String out = inNamespace(ping);
        assertTrue(out.contains(count + " packets transmitted, " + count + " received, 0% packet loss"), out);
    }

    @Test
    void pingAndPing6FromANamespaceAreAnswered() throws Exception {
        rt.netdev("tap,id=t0,ifname=" + tap + ",script=no,downscript=no");
        rt.hub("t0");
        rt.netdev("hubport,id=port-r4,hubid=1");
        rt.add(Section.DEVICE, "responder,id=r4,netdev=port-r4,ip=10.78.0.5,prefix=24");
        rt.netdev("hubport,id=port-r6,hubid=1");
        rt.add(Section.DEVICE, "responder,id=r6,netdev=port-r6,ip=fd00:78::5");
        namespace = new Netns();
        namespace.adopt(tap, "10.78.0.1/24");
        inNamespace("ip", "-6", "addr", "add", "fd00:78::1/64", "dev", tap);
        // Linux checks its addresses are free first; a responder that answered for them would fail them.
        Await.until(() -> !inNamespace("ip", "-6", "addr", "show", "dev", tap).contains("tentative"),
                "duplicate address detection done");
        assertFalse(inNamespace("ip", "-6", "addr", "show", "dev", tap).contains("dadfailed"));

        answered(3, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.78.0.5");
        answered(3, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "fd00:78::5");
        // and at its link-local address, EUI-64 of the second default MAC 52:54:00:12:34:57
        answered(3, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "fe80::5054:ff:fe12:3457%" + tap);
        // the largest echo a 1500-byte link carries unfragmented
        answered(1, "ping", "-c", "1", "-s", "1472", "-M", "do", "-W", "2", "10.78.0.5");

        assertEquals(4, rt.counter("r4", "echo-replies"));
        assertEquals(6, rt.counter("r6", "echo-replies"));
        assertTrue(rt.counter("r4", "arp-replies") >= 1);
        assertTrue(rt.counter("r6", "neighbor-advertisements") >= 1);
        assertEquals(0, rt.counter("r4", "malformed") + rt.counter("r6", "malformed"));
    }
}
