package net.backend.l2tpv3;

import java.nio.ByteBuffer;
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
 * The tests' netdev type {@value #TYPE}: it keeps a copy of every frame its peer gives it, and
 * sends frames a test hands it, on its loop. Registered like any driver.
 */
final class SinkDriver implements NetClientDriver<SinkDriver.Options> {

    static final String TYPE = "sink";

    /** @param tag unused; the netdev needs no options */
    record Options(String tag) {
    }

    /** One open sink. */
    static final class Sink implements NetClient {
        private final NetClientContext context;
        private final List<byte[]> received = new CopyOnWriteArrayList<>();

        Sink(NetClientContext context) {
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
            return TYPE;
        }

        @Override
        public void close() {
        }

        /** @return the frames delivered so far, in order */
        List<byte[]> received() {
            return List.copyOf(received);
        }

        /** Sends the frames in order in one task on the loop; waits at most 5 s for it. */
        List<SendResult> send(List<byte[]> frames) throws Exception {
            CompletableFuture<List<SendResult>> done = new CompletableFuture<>();
            context.loop().execute(() -> done.complete(
                    frames.stream().map(f -> context.send(ByteBuffer.wrap(f))).toList()));
            return done.get(5, TimeUnit.SECONDS);
        }
    }

    private final Map<String, Sink> open = new ConcurrentHashMap<>();

    @Override
    public Class<Options> optionsType() {
        return Options.class;
    }

    @Override
    public NetClient open(Options options, NetClientContext context) {
        Sink sink = new Sink(context);
        open.put(context.id(), sink);
        return sink;
    }

    /** @return the open sink with that id */
    Sink get(String id) {
        Sink sink = open.get(id);
        if (sink == null) {
            throw new IllegalStateException("no sink '" + id + "'");
        }
        return sink;
    }
}
