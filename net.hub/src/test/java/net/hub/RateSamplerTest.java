package net.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import net.hub.loop.EventLoopGroup;
import net.testlib.Await;
import org.junit.jupiter.api.Test;

/** The sampler measures while someone reads the rates, and costs nothing while nobody does. */
class RateSamplerTest {

    private static final System.Logger LOG = System.getLogger("test");
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void samplingStopsWhenNobodyReadsAndStartsAgainOnARead() throws Exception {
        EventLoopGroup loops = new EventLoopGroup(1, LOG);
        Topology topology = new Topology(loops);
        try (RateSampler sampler = new RateSampler(topology, new Snapshots(topology, LOG), LOG, Duration.ofMillis(1500))) {
            assertFalse(sampler.sampling(), "no sampling before anyone reads");
            assertEquals(0, sampler.rates().interval(), "the first read finds no rates yet");
            assertTrue(sampler.sampling(), "a read starts sampling");
            Await.until(() -> sampler.rates().interval() > 0, WAIT, "an interval measured while reading");

            Await.until(() -> !sampler.sampling(), WAIT, "sampling stopped with nobody reading");
            assertEquals(0, sampler.rates().interval(), "after a pause the rates start afresh");
            assertTrue(sampler.sampling(), "and sampling again");
            Await.until(() -> sampler.rates().interval() > 0, WAIT, "an interval measured again");
        } finally {
            loops.close();
        }
    }
}
