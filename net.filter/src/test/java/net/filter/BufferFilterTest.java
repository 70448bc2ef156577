package net.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import net.control.QemuOptions;
import net.control.Section;
import net.testlib.Await;
import net.testlib.Frames;
import org.junit.jupiter.api.Test;

/** filter-buffer: frames held until the interval's timer, released in order, flushed on delete. */
class BufferFilterTest {

    @Test
    void framesWaitForTheTimerAndComeInOrder() throws Exception {
        try (Rig rig = new Rig().pair()) {
            rig.object("filter-buffer,id=f0,netdev=a,interval=300000");
            for (int round = 0; round < 3; round++) {
                List<byte[]> frames = Frames.testFrames(round * 100, 100, 500);
                long start = System.nanoTime();
                rig.inject.get("a").send(frames);
                int before = rig.inject.get("b").count();
                assertEquals(round * 100, before, "nothing passes the filter before its timer");
                int expected = (round + 1) * 100;
                Await.until(() -> rig.inject.get("b").count() == expected, "released");
                assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() <= 300 + 5_000, "within an interval and slack");
                assertTrue(Frames.isSubsequence(frames, rig.inject.get("b").received()), "in order");
            }
            assertEquals(300, rig.filter("a", "f0").counters().get(BufferFilter.RELEASED));
            assertEquals("interval=300000", rig.filter("a", "f0").info());
        }
    }

    @Test
    void aSecondFrameIsHeldUntilTheNextTick() throws Exception {
        try (Rig rig = new Rig().pair()) {
            rig.object("filter-buffer,id=f0,netdev=a,interval=100000");
            rig.inject.get("a").send(List.of(Frames.testFrame(1, 60)));
            Await.until(() -> rig.inject.get("b").count() == 1, "first released");
            long released = rig.filter("a", "f0").counters().get(BufferFilter.RELEASED);
            rig.inject.get("a").send(List.of(Frames.testFrame(2, 60)));
            assertEquals(1, rig.inject.get("b").count(), "held again");
            Await.until(() -> rig.inject.get("b").count() == 2, "second released");
            assertEquals(released + 1, rig.filter("a", "f0").counters().get(BufferFilter.RELEASED));
        }
    }

    @Test
    void deletingTheFilterFlushesWhatItHolds() throws Exception {
        try (Rig rig = new Rig().pair()) {
            rig.object("filter-buffer,id=f0,netdev=a,interval=600000000"); // 10 minutes
            List<byte[]> frames = Frames.testFrames(0, 10, 100);
            rig.inject.get("a").send(frames);
            assertEquals(0, rig.inject.get("b").count());
            rig.runtime.objectDel("f0");
            Await.until(() -> rig.inject.get("b").count() == frames.size(), "flushed on delete");
            assertTrue(Frames.isSubsequence(frames, rig.inject.get("b").received()));
        }
    }

    @Test
    void switchingItOffLetsWhatItHoldsGo() throws Exception {
        try (Rig rig = new Rig().pair()) {
            rig.object("filter-buffer,id=f0,netdev=a,interval=600000000"); // 10 minutes
            List<byte[]> held = Frames.testFrames(0, 10, 100);
            rig.inject.get("a").send(held);
            assertEquals(0, rig.inject.get("b").count());
            rig.runtime.update(Section.OBJECT, QemuOptions.parse("filter-buffer,id=f0,netdev=a,interval=600000000,status=off",
                    Section.OBJECT.typeKey()));
            Await.until(() -> rig.inject.get("b").count() == held.size(), "flushed when switched off");
            assertEquals(held.size(), rig.filter("a", "f0").counters().get(BufferFilter.RELEASED),
                    "the same open filter released them");
            List<byte[]> passing = Frames.testFrames(10, 5, 100);
            rig.inject.get("a").send(passing);
            Await.until(() -> rig.inject.get("b").count() == held.size() + passing.size(), "off: frames pass by");
            rig.runtime.update(Section.OBJECT, QemuOptions.parse("filter-buffer,id=f0,netdev=a,interval=100000,status=on",
                    Section.OBJECT.typeKey()));
            rig.inject.get("a").send(List.of(Frames.testFrame(99, 100)));
            assertEquals(held.size() + passing.size(), rig.inject.get("b").count(), "on again: held");
            Await.until(() -> rig.inject.get("b").count() == held.size() + passing.size() + 1, "released by the new interval");
        }
    }

    @Test
    void rxFramesAreReleasedIntoTheNetdev() throws Exception {
        try (Rig rig = new Rig().pair()) {
            rig.object("filter-buffer,id=f0,netdev=a,queue=rx,interval=50000");
            List<byte[]> frames = Frames.testFrames(0, 5, 100);
            rig.inject.get("b").send(frames);
            assertEquals(0, rig.inject.get("a").count());
            Await.until(() -> rig.inject.get("a").count() == frames.size(), "released into a");
        }
    }

    @Test
    void errorsAreQemus() throws Exception {
        try (Rig rig = new Rig().pair()) {
            assertEquals("Parameter 'interval' is missing", rig.error(Section.OBJECT, "filter-buffer,id=f0,netdev=a"));
            assertEquals("Property 'filter-buffer.interval' requires a positive value",
                    rig.error(Section.OBJECT, "filter-buffer,id=f0,netdev=a,interval=0"));
            assertEquals("Parameter 'interval' expects uint32_t",
                    rig.error(Section.OBJECT, "filter-buffer,id=f0,netdev=a,interval=4294967296"));
        }
    }
}
