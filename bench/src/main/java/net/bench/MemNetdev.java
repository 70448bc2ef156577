package net.bench;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;

/**
 * An in-memory netdev type {@code mem} for benchmarks: it counts what it receives and sends what
 * the benchmark hands it, on its own loop. Nothing is copied or kept.
 */
public final class MemNetdev implements NetClientDriver<MemNetdev.Options> {

    /** No options beyond the id. */
    public record Options() {
    }

    /** One open {@code mem} netdev. */
    public static final class Client implements NetClient {
        private final NetClientContext context;
        private long received;

        Client(NetClientContext context) {
            this.context = context;
        }

        /** @return the netdev's context, to send on its loop */
        public NetClientContext context() {
            return context;
        }

        /** @return frames received so far (read on the loop, or after a task on it completed) */
        public long received() {
            return received;
        }

        @Override
        public Delivery receive(ByteBuffer frame) {
            received++;
            return Delivery.DELIVERED;
        }

        @Override
        public String info() {
            return "mem";
        }

        @Override
        public void close() {
            // nothing held
        }
    }

    private final Map<String, Client> open = new ConcurrentHashMap<>();

    @Override
    public Class<Options> optionsType() {
        return Options.class;
    }

    @Override
    public NetClient open(Options options, NetClientContext context) throws NetException {
        Client client = new Client(context);
        open.put(context.id(), client);
        return client;
    }

    /**
     * @param id a netdev id
     * @return its open client
     */
    public Client get(String id) {
        return open.get(id);
    }
}
