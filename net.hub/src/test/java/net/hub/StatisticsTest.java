package net.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetFilterDriver;
import net.api.NicModel;
import net.control.QemuOptions;
import net.control.Section;
import net.control.dto.CountersDTO;
import net.control.dto.EventLoopDTO;
import net.control.dto.HubStatsDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.RateDTO;
import net.control.dto.StatisticsDTO;
import net.testlib.Await;
import net.testlib.InjectDriver;
import net.testlib.PassFilterDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NetRuntime#statistics()} with real frames through a hub whose ports are spread over two
 * loops: totals that add up exactly, rates that rise with traffic and fall to zero after it,
 * loop counters, and a generation that follows the topology and nothing else.
 */
class StatisticsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int FRAME = 100;

    private NetRuntime runtime;
    private InjectDriver mem;

    @BeforeEach
    void start() throws NetException {
        runtime = new NetRuntime(2, name -> System.getLogger("test." + name));
        mem = new InjectDriver();
        runtime.bindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        runtime.bindNicModel(mem, Map.of(NicModel.TYPE, "mem"));
        // Round-robin over two loops: the hub forwards across them.
        netdev("mem,id=src");
        netdev("mem,id=dst1,tag=sink");
        netdev("mem,id=dst2,tag=sink");
        for (String id : List.of("src", "dst1", "dst2")) {
            netdev("hubport,id=p" + id + ",hubid=3,netdev=" + id);
        }
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    private void netdev(String options) throws NetException {
        runtime.add(Section.NETDEV, QemuOptions.parse(options, "type"));
    }

    private void send(int frames) throws Exception {
        mem.get("src").send(Collections.nCopies(frames, new byte[FRAME]));
    }

    private long sunk(String id) {
        try {
            return runtime.client(id).counters().rxFrames();
        } catch (NetException e) {
            return -1;
        }
    }

    private HubStatsDTO hub(StatisticsDTO stats) {
        assertEquals(1, stats.hubs().size(), stats.hubs().toString());
        return stats.hubs().get(0);
    }

    @Test
    void hubTotalsAreItsPortsCountersAndLoopsCountEveryFrameOnce() throws Exception {
        int n = 1000;
        send(n);
        Await.until(() -> sunk("dst1") == n && sunk("dst2") == n, WAIT, n + " frames at dst1 and dst2");

        StatisticsDTO stats = runtime.statistics();
        HubStatsDTO hub = hub(stats);
        assertEquals(3, hub.id());
        assertEquals(List.of("pdst2", "pdst1", "psrc"), hub.ports());
        assertEquals(n, hub.rxFrames(), "one frame in per frame src sent");
        assertEquals((long) n * FRAME, hub.rxBytes());
        assertEquals(2L * n, hub.txFrames(), "out of the two other ports");
        assertEquals(2L * n * FRAME, hub.txBytes());
        assertEquals(0, hub.queued());
        assertEquals(Map.of(), hub.drops());

        // The same as the ports' own counters, and every frame counted once by the loop that sent it.
        List<NetClientDTO> clients = runtime.network().clients();
        long rx = 0;
        long tx = 0;
        long sent = 0;
        for (NetClientDTO c : clients) {
            if (c.hub() != null) {
                rx += c.counters().rxFrames();
                tx += c.counters().txFrames();
            }
            sent += c.counters().txFrames();
        }
        assertEquals(hub.rxFrames(), rx);
        assertEquals(hub.txFrames(), tx);
        assertEquals(3L * n, sent, "src to its port, then each other port to its netdev");
        List<EventLoopDTO> loops = stats.loops();
        assertEquals(List.of("patchbay-loop-0", "patchbay-loop-1"), loops.stream().map(EventLoopDTO::name).toList());
        assertEquals(sent, loops.stream().mapToLong(EventLoopDTO::frames).sum());
        // Peers share a loop: src, dst2 and their ports on loop 0, dst1 and its port on loop 1.
        assertEquals(List.of(4, 2), loops.stream().map(EventLoopDTO::clients).toList());
        for (EventLoopDTO loop : loops) {
            assertTrue(loop.iterations() > 0 && loop.busyNanos() > 0 && loop.frames() > 0, loop.toString());
        }

        // A hub's drops are its ports', by reason.
        runtime.setLink("pdst1", false);
        send(5);
        Await.until(() -> sunk("dst2") == n + 5 && hub(runtime.statistics()).drops().equals(Map.of("link-down", 5L)),
                WAIT, "5 more frames at dst2, 5 dropped at pdst1", () -> runtime.statistics().toString());
        HubStatsDTO after = hub(runtime.statistics());
        assertEquals(n + 5L, after.rxFrames());
        assertEquals(2L * n + 5, after.txFrames());
        assertTrue(runtime.statistics().loops().stream().mapToLong(EventLoopDTO::iterations).sum()
                > loops.stream().mapToLong(EventLoopDTO::iterations).sum(), "the loops worked since");
    }

    @Test
    void ratesRiseWithTrafficAndFallToZeroAfterIt() throws Exception {
        StatisticsDTO before = runtime.statistics();
        // Send while waiting: traffic flows until a sampled interval shows it.
        Await.until(() -> {
            send(50);
            RateDTO src = runtime.statistics().netdevs().get("src");
            return src != null && src.txFramesPerSecond() > 0;
        }, WAIT, "a rate at src while frames flow");
        StatisticsDTO busy = runtime.statistics();
        assertTrue(busy.interval() > 0, busy.toString());
        assertTrue(!busy.time().isBefore(before.time()) && busy.time().isBefore(Instant.now().plusSeconds(1)));
        RateDTO src = busy.netdevs().get("src");
        assertTrue(src.txBitsPerSecond() >= src.txFramesPerSecond() * FRAME * 8 * 0.99, src.toString());
        assertEquals(0, src.rxFramesPerSecond(), "src takes nothing");
        RateDTO hubRate = hub(busy).rate();
        assertNotNull(hubRate, "a hub has a rate once an interval was sampled");
        assertTrue(hubRate.rxFramesPerSecond() > 0 && hubRate.txFramesPerSecond() > 0, hubRate.toString());
        RateDTO psrc = busy.netdevs().get("psrc");
        RateDTO pdst1 = busy.netdevs().get("pdst1");
        RateDTO pdst2 = busy.netdevs().get("pdst2");
        assertEquals(psrc.rxFramesPerSecond() + pdst1.rxFramesPerSecond() + pdst2.rxFramesPerSecond(),
                hubRate.rxFramesPerSecond(), 1e-9, "a hub's rate is its ports'");
        assertEquals(psrc.txBitsPerSecond() + pdst1.txBitsPerSecond() + pdst2.txBitsPerSecond(),
                hubRate.txBitsPerSecond(), 1e-9);

        Await.until(() -> {
            StatisticsDTO s = runtime.statistics();
            return s.netdevs().get("src").txFramesPerSecond() == 0 && hub(s).rate().rxFramesPerSecond() == 0
                    && hub(s).rate().txFramesPerSecond() == 0;
        }, WAIT, "rates 0 once the traffic stopped");
    }

    @Test
    void generationFollowsTheTopologyAndNothingElse() throws Exception {
        long g = runtime.statistics().generation();
        runtime.network();
        runtime.client("src");
        send(10);
        Await.until(() -> sunk("dst1") == 10, WAIT, "10 frames at dst1");
        assertEquals(g, runtime.statistics().generation(), "queries and traffic change nothing");

        netdev("mem,id=extra");
        long added = runtime.statistics().generation();
        assertNotEquals(g, added, "netdev_add");
        runtime.setLink("extra", false);
        long linked = runtime.statistics().generation();
        assertNotEquals(added, linked, "set_link");
        runtime.add(Section.DEVICE, QemuOptions.parse("mem,id=nic0,netdev=extra", "driver"));
        long nic = runtime.statistics().generation();
        assertNotEquals(linked, nic, "device_add");

        // A sampled netdev and NIC are in the rate maps, by name; deleted, they are gone at once.
        Await.until(() -> runtime.statistics().netdevs().containsKey("extra")
                && runtime.statistics().nics().containsKey("nic0"), WAIT, "extra and nic0 sampled");
        StatisticsDTO sampled = runtime.statistics();
        assertTrue(sampled.netdevs().keySet().containsAll(List.of("src", "dst1", "dst2", "psrc", "pdst1", "pdst2")),
                sampled.netdevs().toString());
        assertNull(sampled.netdevs().get("nic0"), "NICs have a map of their own");
        runtime.deviceDel("nic0");
        runtime.netdevDel("extra");
        StatisticsDTO deleted = runtime.statistics();
        assertNotEquals(nic, deleted.generation(), "netdev_del");
        assertTrue(!deleted.netdevs().containsKey("extra") && !deleted.nics().containsKey("nic0"), deleted.toString());
        assertEquals(deleted.generation(), runtime.statistics().generation());

        // A filter comes and goes; netdevs go pending and active with their driver.
        runtime.bindNetFilterDriver(new PassFilterDriver<>(PassFilterDriver.Options.class),
                Map.of(NetFilterDriver.TYPE, "filter-pass"));
        long before = runtime.statistics().generation();
        runtime.add(Section.OBJECT, QemuOptions.parse("filter-pass,id=f0,netdev=src", "qom-type"));
        long filtered = runtime.statistics().generation();
        assertNotEquals(before, filtered, "object-add");
        runtime.objectDel("f0");
        long unfiltered = runtime.statistics().generation();
        assertNotEquals(filtered, unfiltered, "object-del");
        runtime.unbindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        assertEquals("pending", runtime.client("src").state());
        long pending = runtime.statistics().generation();
        assertNotEquals(unfiltered, pending, "netdevs pending: their driver left");
        runtime.bindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        assertEquals("active", runtime.client("src").state());
        assertNotEquals(pending, runtime.statistics().generation(), "active again");
    }

    @Test
    void statisticsBeforeTheFirstIntervalHaveNoRates() throws Exception {
        runtime.close();
        runtime = new NetRuntime(1, name -> System.getLogger("test." + name));
        runtime.bindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        netdev("hubport,id=h0,hubid=0");
        StatisticsDTO first = runtime.statistics();
        if (first.interval() == 0) { // the sampler has not finished its first interval yet (it takes 1 s)
            assertTrue(first.netdevs().isEmpty(), first.toString());
            assertNull(hub(first).rate());
        }
        Await.until(() -> runtime.statistics().interval() > 0, WAIT, "the first interval");
        StatisticsDTO next = runtime.statistics();
        assertEquals(new RateDTO(0, 0, 0, 0, 0), hub(next).rate());
        CountersDTO counters = runtime.client("h0").counters();
        assertEquals(counters.rxFrames(), hub(next).rxFrames());
        assertEquals(List.of("h0"), hub(next).ports());
    }
}
