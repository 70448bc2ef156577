package net.testlib;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NicModel;
import net.api.SendResult;
import net.api.SentCallback;

/**
 * The tests' own netdev type (and NIC model) {@value #TYPE}: on a hub it is a tap, keeping a copy of
 * every frame it is given, and a source, sending the frames a test hands it on its event loop
 * through {@link NetClientContext#send}. Bound like any driver, under any type name;
 * net.testkit's {@code TestRuntime} binds it as {@value #TYPE}.
 *
 * <p>For the runtime's own tests it can also misbehave on request (see {@link Options}) and records
 * what the runtime did to it: {@link Inject#calls()}, the threads of close and release, link and
 * peer changes, sent callbacks.
 */
public final class InjectDriver implements NetClientDriver<InjectDriver.Options>, NicModel<InjectDriver.Options> {

    public static final String TYPE = "inject";

    /** The {@code tag} that makes {@link #open} fail, as a driver refusing its options does. */
    public static final String TAG_BAD = "bad";
    /** The {@code tag} that makes a netdev count the frames it is given without keeping them. */
    public static final String TAG_SINK = "sink";

    /**
     * All optional; a netdev with none is a plain tap and source.
     *
     * @param tag      free text; {@value #TAG_BAD} fails the open ({@code tag 'bad' is not allowed}),
     *                 {@value #TAG_SINK} counts frames only ({@link Inject#sunk()}), allocating nothing
     * @param refuse   answer RETRY_LATER to every frame until {@link Inject#accept()}
     * @param scribble try to write into every frame received, as a driver swapping MACs in place would
     * @param openms   how long {@code open()} takes, blocking its loop, as a slow driver's would
     * @param fail     where the netdev throws a RuntimeException, as a driver with a bug does:
     *                 {@code open}, {@code receive} (every frame) or {@code close}
     * @param receivems how long the first {@code receive()} blocks its loop
     * @param closems  how long {@code close()} blocks its loop
     */
    public record Options(String tag, Boolean refuse, Boolean scribble, Integer openms, String fail,
            Integer receivems, Integer closems) {
    }

    /** One open {@value #TYPE} netdev. */
    public static final class Inject implements NetClient {
        private final NetClientContext context;
        private final boolean sink;
        private final boolean scribble;
        private final OptionalInt hubAtOpen;
        private final List<byte[]> received = new CopyOnWriteArrayList<>();
        private final List<Integer> sentCallbacks = new CopyOnWriteArrayList<>();
        private final SentCallback onSent = sentCallbacks::add;
        private final List<Boolean> linkChanges = new CopyOnWriteArrayList<>();
        private final List<String> calls = new CopyOnWriteArrayList<>();
        private volatile boolean refuse;
        private volatile boolean closed;
        private volatile int readOnlyFrames;
        private volatile int writesThrough;
        private volatile Thread closedOn;
        private volatile Thread releasedOn;
        private volatile Duration releaseDelay = Duration.ZERO;
        private final Options faults;
        private boolean receivedAny; // loop only
        /** Written on the netdev's loop only; read after a task on that loop completed. */
        private long sunk;

        Inject(NetClientContext context, boolean refuse, boolean sink, boolean scribble, Options faults) {
            this.faults = faults;
            this.context = context;
            this.refuse = refuse;
            this.sink = sink;
            this.scribble = scribble;
            this.hubAtOpen = context.hubId();
        }

        @Override
        public Delivery receive(ByteBuffer frame) {
            misbehave("receive", receivedAny ? null : faults.receivems());
            receivedAny = true;
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
            } catch (ReadOnlyBufferException e) {
                // the contract: frames are read-only
            }
        }

        @Override
        public void linkStatusChanged(boolean up) {
            linkChanges.add(up);
        }

        @Override
        public String info() {
            return TYPE + ": " + context.id();
        }

        @Override
        public void peerChanged() {
            OptionalInt hub = context.hubId();
            calls.add("peer:" + (hub.isPresent() ? hub.getAsInt() : "none"));
        }

        @Override
        public void close() {
            calls.add("close"); // before what tests wait for, as in release()
            closed = true;
            closedOn = Thread.currentThread();
            misbehave("close", faults.closems());
        }

        /** Throws or blocks in {@code call} when the options say so. */
        private void misbehave(String call, Integer blockMillis) {
            if (call.equals(faults.fail())) {
                throw new IllegalStateException(call + " broken on purpose");
            }
            if (blockMillis != null) {
                sleep(blockMillis);
            }
        }

        @Override
        public void release() {
            // Recorded before the thread is published: a test that waits for releasedOn() then
            // finds "release" in calls(), even when this thread is preempted in between.
            calls.add("release");
            releasedOn = Thread.currentThread();
            long millis = releaseDelay.toMillis();
            if (millis > 0) {
                try {
                    Thread.sleep(millis); // the point: a release that blocks, as a slow clean-up does
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** @return what the runtime gave this client: its loop, id, hub, counters */
        public NetClientContext context() {
            return context;
        }

        /** @return a snapshot of the frames delivered to this netdev, in order */
        public List<byte[]> received() {
            return List.copyOf(received);
        }

        /** @return how many frames were delivered to this netdev (and kept: not in sink mode) */
        public int count() {
            return received.size();
        }

        /** @return frames counted in sink mode; read it after a task on the netdev's loop completed */
        public long sunk() {
            return sunk;
        }

        /**
         * Sends the frames in order, in one task on the netdev's loop.
         *
         * @return what the runtime did with each
         * @throws Exception when the task fails or the loop does not run it within 5 s
         */
        public List<SendResult> send(List<byte[]> frames) throws Exception {
            return onLoop(() -> {
                List<SendResult> results = new ArrayList<>(frames.size());
                for (byte[] frame : frames) {
                    results.add(context.send(ByteBuffer.wrap(frame)));
                }
                return results;
            });
        }

        /**
         * Sends one frame on the netdev's loop.
         *
         * @param withCallback whether the runtime gets a sent callback, which records the length in
         *                     {@link #sentCallbacks()} when a queued frame leaves
         * @return what the runtime did with it
         * @throws Exception when the task fails or the loop does not run it within 5 s
         */
        public SendResult send(byte[] frame, boolean withCallback) throws Exception {
            return onLoop(() -> context.send(ByteBuffer.wrap(frame), withCallback ? onSent : null));
        }

        /** From now on every frame is refused (RETRY_LATER), until {@link #accept()}. */
        public void refuse() {
            refuse = true;
        }

        /** @return whether frames are refused now */
        public boolean refusing() {
            return refuse;
        }

        /** Accepts frames again and tells the runtime ({@code receiveReady}), on the netdev's loop. */
        public void accept() throws Exception {
            onLoop(() -> {
                refuse = false;
                context.receiveReady();
                return null;
            });
        }

        /** @param delay how long every later {@link #release()} blocks its caller */
        public void releaseDelay(Duration delay) {
            releaseDelay = delay;
        }

        /** @return the lengths of this netdev's frames whose sent callback ran, in order */
        public List<Integer> sentCallbacks() {
            return List.copyOf(sentCallbacks);
        }

        /** @return the link states the runtime reported, in order */
        public List<Boolean> linkChanges() {
            return List.copyOf(linkChanges);
        }

        /** @return what the runtime called, in order: {@code close}, {@code release}, {@code peer:<hub id or none>} */
        public List<String> calls() {
            return List.copyOf(calls);
        }

        /** @return the hub the netdev was on when it opened (a legacy {@code -net}'s), else empty */
        public OptionalInt hubAtOpen() {
            return hubAtOpen;
        }

        public boolean closed() {
            return closed;
        }

        /** @return the thread that ran {@link #close()}, null before */
        public Thread closedOn() {
            return closedOn;
        }

        /** @return the thread that ran {@link #release()}, null before */
        public Thread releasedOn() {
            return releasedOn;
        }

        /** @return scribbled frames that arrived read-only */
        public int readOnlyFrames() {
            return readOnlyFrames;
        }

        /** @return scribbled frames whose bytes could be overwritten (a broken contract) */
        public int writesThrough() {
            return writesThrough;
        }

        private <T> T onLoop(java.util.concurrent.Callable<T> task) throws Exception {
            CompletableFuture<T> done = new CompletableFuture<>();
            context.loop().execute(() -> {
                try {
                    done.complete(task.call());
                } catch (Exception | Error e) {
                    done.completeExceptionally(e);
                }
            });
            return done.get(5, TimeUnit.SECONDS);
        }
    }

    private final Map<String, Inject> open = new ConcurrentHashMap<>();

    @Override
    public Class<Options> optionsType() {
        return Options.class;
    }

    @Override
    public NetClient open(Options options, NetClientContext context) throws NetException {
        if (TAG_BAD.equals(options.tag())) {
            throw NetException.generic("tag '" + TAG_BAD + "' is not allowed");
        }
        if (options.openms() != null) {
            sleep(options.openms()); // the point: an open that blocks its loop
        }
        if ("open".equals(options.fail())) {
            throw new IllegalStateException("open broken on purpose");
        }
        Inject inject = new Inject(context, Boolean.TRUE.equals(options.refuse()), TAG_SINK.equals(options.tag()),
                Boolean.TRUE.equals(options.scribble()), options);
        open.put(context.id(), inject);
        return inject;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis); // the point: a driver that blocks its loop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the netdev with this id that this driver opened last (it may be closed since) */
    public Inject get(String id) {
        return find(id).orElseThrow(() -> new IllegalStateException("no " + TYPE + " netdev '" + id + "' was opened"));
    }

    /** @return the netdev with this id that this driver opened last, if it opened one (for waits) */
    public Optional<Inject> find(String id) {
        return Optional.ofNullable(open.get(id));
    }
}
