package net.backend.socket.interop;

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
import net.api.SendResult;

/**
 * The tests' own netdev type {@value #TYPE}: on a hub it is a tap (it keeps a copy of every frame
 * the hub gives it) and a source (it sends the frames a test hands it, on its event loop, through
 * {@link NetClientContext#send}). Registered with {@code bindNetClientDriver} like any driver.
 */
final class InjectDriver implements NetClientDriver<InjectDriver.Options> {

    static final String TYPE = "inject";

    /** @param tag free text, unused; the netdev needs no options */
    record Options(String tag) {
    }

    /** One open {@value #TYPE} netdev. */
    static final class Inject implements NetClient {
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

        /** @return a snapshot of the frames the hub delivered to this netdev, in order */
        List<byte[]> received() {
            return List.copyOf(received);
        }

        /**
         * Sends frames, in order, in one task on the netdev's loop.
         *
         * @param frames the frames
         * @return what the runtime did with each
         * @throws Exception when the loop does not run the task within 5 s
         */
        List<SendResult> send(List<byte[]> frames) throws Exception {
            CompletableFuture<List<SendResult>> done = new CompletableFuture<>();
            context.loop().execute(() -> {
                try {
                    List<SendResult> results = new ArrayList<>();
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

    /**
     * @param id the netdev's id
     * @return the open netdev
     */
    Inject get(String id) {
        Inject inject = open.get(id);
        if (inject == null) {
            throw new IllegalStateException("no " + TYPE + " netdev '" + id + "' is open");
        }
        return inject;
    }
}
