package net.backend.dump;

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

/**
 * The tests' netdev type {@code inject}, also usable as a NIC model: keeps what it receives, sends
 * what a test hands it.
 */
final class Inject implements NetClientDriver<Inject.Options>, NicModel<Inject.Options> {

    /** @param tag unused */
    record Options(String tag) {
    }

    /** One open inject netdev. */
    static final class Client implements NetClient {
        final NetClientContext context;
        final List<byte[]> received = new CopyOnWriteArrayList<>();

        Client(NetClientContext context) {
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
            return "inject";
        }

        @Override
        public void close() {
        }

        /** Sends the frames in order in one loop task and waits for it (bounded). */
        void send(List<byte[]> frames) throws Exception {
            CompletableFuture<Void> done = new CompletableFuture<>();
            context.loop().execute(() -> {
                for (byte[] f : frames) {
                    context.send(ByteBuffer.wrap(f));
                }
                done.complete(null);
            });
            done.get(5, TimeUnit.SECONDS);
        }
    }

    private final Map<String, Client> open = new ConcurrentHashMap<>();

    @Override
    public Class<Options> optionsType() {
        return Options.class;
    }

    @Override
    public NetClient open(Options options, NetClientContext context) {
        Client c = new Client(context);
        open.put(context.id(), c);
        return c;
    }

    Client get(String id) {
        return open.get(id);
    }

    /** A frame: to 52:54:00:ab:cd:ef from 02:00:00:00:00:01, ethertype 0x88b5, seq, pattern. */
    static byte[] frame(int seq, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(new byte[] {0x52, 0x54, 0, (byte) 0xab, (byte) 0xcd, (byte) 0xef, 2, 0, 0, 0, 0, 1})
                .putShort((short) 0x88b5).putInt(seq);
        for (int i = b.position(); i < length; i++) {
            b.put((byte) (seq * 31 + i * 7));
        }
        return b.array();
    }

    static List<byte[]> frames(int from, int count, int length) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(frame(from + i, length));
        }
        return out;
    }
}
