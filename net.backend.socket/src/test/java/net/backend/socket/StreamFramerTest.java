package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import net.api.NetClient;
import org.junit.jupiter.api.Test;

/** Reassembly across any segmentation, and the inputs that close a connection. */
class StreamFramerTest {

    /** Hands out the bytes {@code step} at a time, then 0 once (no data now), then EOF at the end. */
    private static final class Trickle implements ReadableByteChannel {
        private final ByteBuffer data;
        private final int step;
        private boolean starve;

        Trickle(ByteBuffer data, int step) {
            this.data = data;
            this.step = step;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!data.hasRemaining()) {
                return -1;
            }
            starve = !starve;
            if (starve) {
                return 0;
            }
            int n = Math.min(step, Math.min(dst.remaining(), data.remaining()));
            ByteBuffer slice = data.slice().limit(n);
            dst.put(slice);
            data.position(data.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private static ByteBuffer wire(int... lengths) {
        int total = 0;
        for (int l : lengths) {
            total += 4 + l;
        }
        ByteBuffer b = ByteBuffer.allocate(total);
        for (int l : lengths) {
            b.putInt(l);
            for (int i = 0; i < l; i++) {
                b.put((byte) (l + i));
            }
        }
        return b.flip();
    }

    @Test
    void reassemblesAcrossEverySegmentation() throws Exception {
        for (int step : new int[] {1, 2, 3, 5, 4096}) {
            StreamFramer framer = new StreamFramer();
            Trickle channel = new Trickle(wire(60, 9000, NetClient.MAX_FRAME, 1), step);
            int frames = 0;
            int[] expected = {60, 9000, NetClient.MAX_FRAME, 1};
            StreamFramer.Result r;
            while ((r = framer.read(channel)) != StreamFramer.Result.END) {
                if (r == StreamFramer.Result.FRAME) {
                    ByteBuffer f = framer.frame();
                    assertEquals(expected[frames], f.remaining(), "step " + step);
                    int length = expected[frames];
                    // The frame is position..limit of a view into the framer's buffer.
                    assertEquals((byte) length, f.get(f.position()), "first byte");
                    assertEquals((byte) (length + length - 1), f.get(f.limit() - 1), "last byte");
                    frames++;
                }
            }
            assertEquals(4, frames, "step " + step);
        }
    }

    /** Taking runs instead of frames: only whole frames, however the bytes came in. */
    @Test
    void runsHoldWholeFramesOnlyAcrossEverySegmentation() throws Exception {
        int[] expected = {60, 9000, 1, 1514, 64, 64, 64, NetClient.MAX_FRAME, 64};
        for (int step : new int[] {1, 3, 5, 100, 4096, 200_000}) {
            StreamFramer framer = new StreamFramer();
            Trickle channel = new Trickle(wire(expected), step);
            int frames = 0;
            StreamFramer.Result r = StreamFramer.Result.AGAIN;
            while (r != StreamFramer.Result.END) {
                ByteBuffer run = framer.run();
                assertTrue(run.isReadOnly());
                int at = run.position();
                while (at < run.limit()) {
                    int length = run.getInt(at);
                    assertEquals(expected[frames], length, "step " + step + ", frame " + frames);
                    assertEquals((byte) (length + length - 1), run.get(at + 4 + length - 1), "last byte");
                    at += 4 + length;
                    frames++;
                }
                assertEquals(run.limit(), at, "the run ends at a frame's end");
                framer.skip(run.remaining());
                assertFalse(framer.holdsFrame(), "a run takes every whole frame held");
                r = framer.read(channel);
                if (r == StreamFramer.Result.FRAME) {
                    assertEquals(expected[frames++], framer.frame().remaining());
                } else if (r != StreamFramer.Result.AGAIN && r != StreamFramer.Result.END) {
                    throw new AssertionError("step " + step + ": " + r);
                }
            }
            assertEquals(expected.length, frames, "step " + step);
        }
    }

    /** A read that took less than it had room for means the socket was empty: no read after it. */
    @Test
    void aShortReadSavesTheReadThatWouldFindNothing() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            source.configureBlocking(false);
            int[] reads = {0};
            ReadableByteChannel counted = new ReadableByteChannel() {
                @Override
                public int read(ByteBuffer dst) throws java.io.IOException {
                    reads[0]++;
                    return source.read(dst);
                }

                @Override
                public boolean isOpen() {
                    return source.isOpen();
                }

                @Override
                public void close() {
                }
            };
            StreamFramer framer = new StreamFramer();
            sink.write(wire(64));
            assertEquals(StreamFramer.Result.FRAME, framer.read(counted));
            assertEquals(1, reads[0]);
            assertEquals(StreamFramer.Result.AGAIN, framer.read(counted), "the wake-up's work is done");
            assertEquals(1, reads[0], "no system call for it");

            sink.write(wire(100));
            assertEquals(StreamFramer.Result.FRAME, framer.read(counted), "the next wake-up reads again");
            assertEquals(100, framer.frame().remaining());
            assertEquals(2, reads[0]);
            assertEquals(StreamFramer.Result.AGAIN, framer.read(counted));
            assertEquals(StreamFramer.Result.AGAIN, framer.read(counted), "an empty read is no short one");
            assertEquals(3, reads[0]);
        }
    }

    @Test
    void aRunEndsBeforeABadLength() throws Exception {
        StreamFramer framer = new StreamFramer();
        ByteBuffer bytes = ByteBuffer.allocate(200);
        bytes.put(wire(10, 20)).putInt(0).putInt(0).flip();
        Trickle channel = new Trickle(bytes, 200);
        assertEquals(StreamFramer.Result.FRAME, readPastAgain(framer, channel));
        ByteBuffer run = framer.run();
        assertEquals(4 + 20, run.remaining(), "the frame of 20, not the zero length after it");
        framer.skip(run.remaining());
        assertEquals(0, framer.run().remaining());
        assertEquals(StreamFramer.Result.BAD_LENGTH, framer.read(channel));
    }

    @Test
    void zeroAndOversizedLengthsAreBad() throws Exception {
        StreamFramer framer = new StreamFramer();
        assertEquals(StreamFramer.Result.BAD_LENGTH, readPastAgain(framer, new Trickle(wire(0), 4096)));
        assertEquals(0, framer.badLength());
        framer.reset();
        ByteBuffer big = ByteBuffer.allocate(8).putInt(NetClient.MAX_FRAME + 1).putInt(0).flip();
        assertEquals(StreamFramer.Result.BAD_LENGTH, readPastAgain(framer, new Trickle(big, 4096)));
        assertEquals(NetClient.MAX_FRAME + 1, framer.badLength());
    }

    @Test
    void endInsideAFrameIsTruncated() throws Exception {
        StreamFramer framer = new StreamFramer();
        assertEquals(StreamFramer.Result.TRUNCATED, readPastAgain(framer, new Trickle(wire(100).limit(50), 4096)));
        assertEquals("46 of 100 frame bytes", framer.partial());
        framer.reset();
        assertEquals(StreamFramer.Result.TRUNCATED,
                readPastAgain(framer, new Trickle(ByteBuffer.wrap(new byte[] {0, 0}), 1)));
        assertEquals("2 of 4 length bytes", framer.partial());
    }

    private static StreamFramer.Result readPastAgain(StreamFramer framer, ReadableByteChannel channel) throws Exception {
        StreamFramer.Result r;
        do {
            r = framer.read(channel);
        } while (r == StreamFramer.Result.AGAIN);
        return r;
    }
}
