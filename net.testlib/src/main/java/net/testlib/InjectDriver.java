package net.testlib;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NicModel;
import net.api.SendResult;

/**
 * The tests' own netdev type (and NIC model) {@value #TYPE}: on a hub it is a tap, keeping a copy of
 * every frame it is given, and a source, sending the frames a test hands it on its event loop
 * through {@link NetClientContext#send}. Bound like any driver; net.testkit's {@code TestRuntime} binds it.
 */
public final class InjectDriver implements NetClientDriver<InjectDriver.Options>, NicModel<InjectDriver.Options> {

    public static final String TYPE = "inject";

    /** @param tag free text, unused; the netdev needs no options */
    public record Options(String tag) {
    }

    /** One open {@value #TYPE} netdev. */
    public static final class Inject implements NetClient {
        private final NetClientContext context;
        private final List<byte[]> received = new CopyOnWriteArrayList<>();

        Inject(NetClientContext context) {
            this.context = context;
        }

        @Override
        public Delivery receive(ByteBuffer frame) {
            byte[] copy = new byte[frame.remaining()];
            frame.get(copy);
            received.add(copy);
            return Delivery.DELIVERED;
        }

        @Override
        public String info() {
            return TYPE + ": " + context.id();
        }

        @Override
        public void close() {
        }

        /** @return a snapshot of the frames delivered to this netdev, in order */
        public List<byte[]> received() {
            return List.copyOf(received);
        }

        /** @return how many frames were delivered to this netdev */
        public int count() {
            return received.size();
        }

        /**
         * Sends the frames in order, in one task on the netdev's loop.
         *
         * @return what the runtime did with each
         * @throws Exception when the task fails or the loop does not run it within 5 s
         */
        public List<SendResult> send(List<byte[]> frames) throws Exception {
            CompletableFuture<List<SendResult>> done = new CompletableFuture<>();
            context.loop().execute(() -> {
                try {
                    List<SendResult> results = new ArrayList<>(frames.size());
                    for (byte[] frame : frames) {
                        results.add(context.send(ByteBuffer.wrap(frame)));
                    }
                    done.complete(results);
                } catch (RuntimeException e) {
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
    public NetClient open(Options options, NetClientContext context) {
        Inject inject = new Inject(context);
        open.put(context.id(), inject);
        return inject;
    }

    /** @return the open netdev with this id */
    public Inject get(String id) {
        Inject inject = open.get(id);
        if (inject == null) {
            throw new IllegalStateException("no " + TYPE + " netdev '" + id + "' is open");
        }
        return inject;
    }
}
