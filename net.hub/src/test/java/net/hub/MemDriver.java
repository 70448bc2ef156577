package net.hub;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.SendResult;
import net.api.SentCallback;

/**
 * An in-memory backend for tests: records what it receives, sends what the test injects, and can
 * be told to refuse frames (RETRY_LATER) to exercise flow control.
 */
final class MemDriver implements NetClientDriver<MemDriver.Options>, net.api.NicModel<MemDriver.Options> {

    /**
     * @param tag      free text; {@code bad} fails the open, {@code sink} counts frames only
     * @param refuse   answer RETRY_LATER
     * @param scribble try to write into every frame received (a misbehaving driver)
     * @param openms   how long open() takes, blocking its loop (a misbehaving driver)
     */
    record Options(String tag, Boolean refuse, Boolean scribble, Integer openms) {
    }

    static final class Mem implements NetClient {
        final NetClientContext context;
        final List<byte[]> received = new CopyOnWriteArrayList<>();
        final List<Integer> sentCallbacks = new CopyOnWriteArrayList<>();
        final List<Boolean> linkChanges = new CopyOnWriteArrayList<>();
        final SentCallback onSent = sentCallbacks::add;
        volatile boolean refuse;
        volatile boolean closed;
        final boolean sink; // count only, keep nothing: for allocation checks
        final boolean scribble;
        /** Frames that arrived read-only, and writes into frames that got through. */
        volatile int readOnlyFrames;
        volatile int writesThrough;
        final java.util.OptionalInt hubAtOpen;
        /** What the runtime called, in order: {@code close}, {@code release}, {@code peer:<hub id or none>}. */
        final List<String> calls = new CopyOnWriteArrayList<>();
        /** The threads that ran {@link #close()} and {@link #release()}. */
        volatile Thread closedOn;
        volatile Thread releasedOn;
        /** How long {@link #release()} takes, as a blocking clean-up would. */
        volatile long releaseMillis;
        long sunk;

        Mem(NetClientContext context, boolean refuse, boolean sink, boolean scribble) {
            this.context = context;
            this.refuse = refuse;
            this.sink = sink;
            this.scribble = scribble;
            this.hubAtOpen = context.hubId();
        }

        @Override
        public Delivery receive(ByteBuffer frame) {
            if (refuse) {
                return Delivery.RETRY_LATER;
            }
            if (sink) {
                sunk++;
                return Delivery.DELIVERED;
            }
            if (scribble) {
                scribbleOn(frame);
            }
            byte[] copy = new byte[frame.remaining()];
            frame.get(copy);
            received.add(copy);
            return Delivery.DELIVERED;
        }

        /** Overwrites the frame's bytes, as a driver swapping MAC addresses in place would. */
        private void scribbleOn(ByteBuffer frame) {
            if (frame.isReadOnly()) {
                readOnlyFrames++;
            }
            try {
                for (int i = frame.position(); i < frame.limit(); i++) {
                    frame.put(i, (byte) 0xEE);
                }
                writesThrough++;
            } catch (java.nio.ReadOnlyBufferException e) {
                // the contract: frames are read-only
            }
        }

        @Override
        public void linkStatusChanged(boolean up) {
            linkChanges.add(up);
        }

        @Override
        public String info() {
            return "mem: " + context.id();
        }

        @Override
        public void peerChanged() {
            java.util.OptionalInt hub = context.hubId();
            calls.add("peer:" + (hub.isPresent() ? hub.getAsInt() : "none"));
        }

        @Override
        public void close() {
            closed = true;
            closedOn = Thread.currentThread();
            calls.add("close");
        }

        @Override
        public void release() {
            releasedOn = Thread.currentThread();
            calls.add("release");
            if (releaseMillis > 0) {
                try {
                    Thread.sleep(releaseMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Sends on the client's loop; returns what the runtime said. */
        SendResult inject(byte[] frame, boolean withCallback) throws Exception {
            java.util.concurrent.CompletableFuture<SendResult> result = new java.util.concurrent.CompletableFuture<>();
            context.loop().execute(() -> result.complete(context.send(ByteBuffer.wrap(frame), withCallback ? onSent : null)));
            return result.get(5, java.util.concurrent.TimeUnit.SECONDS);
        }

        /** Accepts frames again and tells the runtime, on the loop. */
        void accept() throws Exception {
            java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
            context.loop().execute(() -> {
                refuse = false;
                context.receiveReady();
                done.complete(null);
            });
            done.get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    final Map<String, Mem> open = new ConcurrentHashMap<>();

    @Override
    public Class<Options> optionsType() {
        return Options.class;
    }

    @Override
    public NetClient open(Options options, NetClientContext context) throws NetException {
        if ("bad".equals(options.tag())) {
            throw NetException.generic("tag 'bad' is not allowed");
        }
        if (options.openms() != null) {
            try {
                Thread.sleep(options.openms());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Mem mem = new Mem(context, Boolean.TRUE.equals(options.refuse()), "sink".equals(options.tag()),
                Boolean.TRUE.equals(options.scribble()));
        open.put(context.id(), mem);
        return mem;
    }

    Mem get(String id) {
        return open.get(id);
    }
}
