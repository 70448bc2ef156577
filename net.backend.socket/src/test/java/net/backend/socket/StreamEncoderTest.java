package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.api.NetClient;
import org.junit.jupiter.api.Test;

/**
 * Gathered writes through a real kernel pipe (64 KiB, so most writes are partial): every frame
 * comes out once, whole, in order, behind its length, however the writes were cut.
 */
class StreamEncoderTest {

    private static byte[] frame(int length, int seed) {
        byte[] f = new byte[length];
        for (int i = 0; i < length; i++) {
            f[i] = (byte) (seed * 31 + i);
        }
        return f;
    }

    @Test
    void framesKeepOrderAndBoundariesAcrossPartialWrites() throws Exception {
        Random random = new Random(42);
        List<byte[]> sent = new ArrayList<>();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        StreamEncoder encoder = new StreamEncoder();
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            sink.configureBlocking(false);
            source.configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.allocate(random.nextInt(1, 100_000));
            int partial = 0;
            for (int n = 0; n < 3000; n++) {
                int length = switch (n % 7) {
                    case 0 -> 1;
                    case 1 -> NetClient.MAX_FRAME;
                    default -> random.nextInt(60, 1515);
                };
                byte[] f = frame(length, n);
                ByteBuffer view = ByteBuffer.wrap(f);
                encoder.append(view);
                assertEquals(0, view.position(), "the frame is left as it was");
                sent.add(f);
                if (encoder.isFull() || random.nextInt(10) == 0) {
                    // Write like the connection does; a reader that drains unevenly makes room.
                    while (!encoder.writeTo(sink)) {
                        partial++;
                        chunk.clear().limit(random.nextInt(1, chunk.capacity() + 1));
                        source.read(chunk);
                        wire.write(chunk.array(), 0, chunk.position());
                    }
                    assertTrue(encoder.isEmpty());
                }
            }
            while (!encoder.writeTo(sink)) {
                drain(source, wire);
            }
            drain(source, wire);
            assertTrue(partial > 10, "the pipe cut writes: " + partial);
        }
        ByteBuffer in = ByteBuffer.wrap(wire.toByteArray());
        for (byte[] expected : sent) {
            assertEquals(expected.length, in.getInt());
            byte[] got = new byte[expected.length];
            in.get(got);
            assertArrayEquals(expected, got);
        }
        assertFalse(in.hasRemaining());
    }

    /**
     * Runs of frames appended as they fit, with the full encoder written through the pipe in
     * between: the same bytes come out as for frames appended one by one, nothing cut mid-frame.
     */
    @Test
    void runsKeepOrderAndBoundariesAcrossPartialWrites() throws Exception {
        Random random = new Random(7);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        StreamEncoder encoder = new StreamEncoder();
        Pipe pipe = Pipe.open();
        int cut = 0;
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            sink.configureBlocking(false);
            source.configureBlocking(false);
            for (int r = 0; r < 200; r++) {
                // A run as a framer holds it: up to about 130 KiB of whole frames behind their lengths.
                ByteBuffer run = ByteBuffer.allocate(random.nextInt(100, 4 + NetClient.MAX_FRAME + 64 * 1024));
                for (int n = 0; ; n++) {
                    int length = random.nextInt(10) == 0 ? random.nextInt(1, NetClient.MAX_FRAME + 1) : random.nextInt(1, 1515);
                    if (run.remaining() < 4 + length) {
                        break;
                    }
                    run.putInt(length).put(frame(length, r + n));
                }
                run.flip();
                sent.write(run.array(), 0, run.limit());
                ByteBuffer view = run.asReadOnlyBuffer();
                while (view.hasRemaining()) {
                    int start = view.position();
                    int taken = encoder.appendRun(view);
                    assertEquals(start, view.position(), "the run is left as it was");
                    if (taken < view.remaining()) {
                        cut++;
                        assertTrue(encoder.isFull(), "a run is cut only when the encoder is full");
                        assertEquals(0, taken == 0 ? 0 : wholeFrames(view, taken), "cut at a frame's end");
                    }
                    view.position(start + taken);
                    if (encoder.isFull()) {
                        while (!encoder.writeTo(sink)) {
                            drain(source, wire);
                        }
                    }
                }
            }
            while (!encoder.writeTo(sink)) {
                drain(source, wire);
            }
            drain(source, wire);
        }
        assertTrue(cut > 10, "runs were cut: " + cut);
        assertArrayEquals(sent.toByteArray(), wire.toByteArray());
    }

    /** @return 0 when the first {@code bytes} of the run are whole frames, else what is left over */
    private static int wholeFrames(ByteBuffer run, int bytes) {
        int at = run.position();
        while (at < run.position() + bytes) {
            at += 4 + run.getInt(at);
        }
        return at - run.position() - bytes;
    }

    @Test
    void aClearedEncoderForgetsWhatTheLastConnectionLeft() throws Exception {
        StreamEncoder encoder = new StreamEncoder();
        encoder.append(ByteBuffer.wrap(frame(100, 1)));
        encoder.clear();
        assertTrue(encoder.isEmpty());
        encoder.append(ByteBuffer.wrap(frame(3, 2)));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        assertTrue(encoder.writeTo(Channels.newChannel(wire)));
        assertArrayEquals(new byte[] {0, 0, 0, 3, 62, 63, 64}, wire.toByteArray());
    }

    @Test
    void aBatchIsFullAtSixtyFourKibibytesAndALargestFrameStillFits() {
        StreamEncoder encoder = new StreamEncoder();
        ByteBuffer f = ByteBuffer.allocate(StreamEncoder.BATCH - 5);
        encoder.append(f.duplicate());
        assertFalse(encoder.isFull());
        encoder.append(ByteBuffer.allocate(NetClient.MAX_FRAME)); // must not overflow
        assertTrue(encoder.isFull());
    }

    private static void drain(Pipe.SourceChannel source, ByteArrayOutputStream wire) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(65536);
        int n;
        while ((n = source.read(b.clear())) > 0) {
            wire.write(b.array(), 0, n);
        }
    }
}
