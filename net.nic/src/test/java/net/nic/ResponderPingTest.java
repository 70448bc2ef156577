package net.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import net.backend.tap.TapDriver;
import net.control.Section;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.KernelTest;
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

    private final String namespace = "pbns" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    private final String tap = "pbr" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    private final TestRuntime rt = new TestRuntime(1).netdevType("tap", new TapDriver())
            .nicModel("responder", new ResponderModel(new MacTable()));

    @AfterEach
    void cleanUp() throws Exception {
        rt.close(); // the tap goes with its descriptor, before its namespace
        run("ip", "netns", "del", namespace);
    }

    /** Runs a command for at most 20 s. @return its status, and stdout with stderr */
    private static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                throw new IOException("timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    private record Result(int status, String output) {
    }

    /** Runs a command in the namespace; it must succeed. */
    private String inNamespace(String... command) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(List.of(command));
        Result r = run(all.toArray(String[]::new));
        assertEquals(0, r.status(), String.join(" ", all) + "\n" + r.output());
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
        rt.add(Section.NET, "nic,model=responder,id=r4,vlan=1,ip=10.78.0.5,prefix=24");
        rt.add(Section.NET, "nic,model=responder,id=r6,vlan=1,ip=fd00:78::5");
        assertEquals(0, run("ip", "netns", "add", namespace).status());
        assertEquals(0, run("ip", "link", "set", tap, "netns", namespace).status());
        inNamespace("ip", "link", "set", "lo", "up");
        inNamespace("ip", "addr", "add", "10.78.0.1/24", "dev", tap);
        inNamespace("ip", "-6", "addr", "add", "fd00:78::1/64", "dev", tap);
        inNamespace("ip", "link", "set", tap, "up");
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
