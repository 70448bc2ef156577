package net.driverkit;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NicModel;
import net.testkit.TestRuntime;

/**
 * The test kit's runtime with a netdev type and NIC model {@value #TYPE} whose clients a test
 * builds itself, from the kit and {@link #sockets} it made: {@link #prepare} says how the next
 * netdev or NIC of an id opens. Tests reach an open client and its loop through it.
 */
final class Rig extends TestRuntime {

    static final String TYPE = "wire";

    /** Opens the client of one netdev or NIC, on its loop. */
    @FunctionalInterface
    interface Opener {
        NetClient open(NetClientContext context) throws IOException;
    }

    /** @param tag free text, unused */
    record Options(String tag) {
    }

    /** The test's sockets, closed after the runtime. */
    final Sockets sockets = new Sockets();
    private final Map<String, Opener> openers = new ConcurrentHashMap<>();
    private final Map<String, NetClient> clients = new ConcurrentHashMap<>();
    private final Map<String, NetClientContext> contexts = new ConcurrentHashMap<>();

    Rig(int loops) {
        super(loops);
        Driver driver = new Driver();
        netdevType(TYPE, driver);
        nicModel(TYPE, driver);
    }

    /** Says how the netdev or NIC {@code id} of type {@value #TYPE} opens. */
    Rig prepare(String id, Opener opener) {
        openers.put(id, opener);
        return this;
    }

    /** @return the client {@code id} opened last */
    NetClient opened(String id) {
        return clients.get(id);
    }

    /**
     * Runs a task on the loop of {@code id}, as the runtime runs a client's callbacks.
     *
     * @return what it returned
     * @throws Exception what it threw, or a timeout after 5 s
     */
    <T> T onLoop(String id, Callable<T> task) throws Exception {
        CompletableFuture<T> done = new CompletableFuture<>();
        contexts.get(id).loop().execute(() -> {
            try {
                done.complete(task.call());
            } catch (Exception | AssertionError e) {
                done.completeExceptionally(e);
            }
        });
        return done.get(5, TimeUnit.SECONDS);
    }

    /**
     * Returns once the loop of {@code id} has begun an iteration after this call and handled the
     * readiness of its JDK channels in it. So a datagram that was waiting on such a channel before
     * the call has been read by now, unless reading is paused. (An iteration: readiness and
     * handlers, tasks, timers, then the end-of-iteration tasks; a task queued from the end of one
     * iteration runs in the next, after its readiness.)
     */
    void awaitLoopIteration(String id) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        var loop = contexts.get(id).loop();
        loop.execute(() -> loop.executeAfterIo(() -> loop.execute(() -> done.complete(null))));
        done.get(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            super.close();
        } finally {
            sockets.close();
        }
    }

    private final class Driver implements NetClientDriver<Options>, NicModel<Options> {

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public NetClient open(Options options, NetClientContext context) throws NetException {
            Opener opener = openers.get(context.id());
            if (opener == null) {
                throw NetException.generic("no %s prepared for '%s'", Rig.TYPE, context.id());
            }
            try {
                NetClient client = opener.open(context);
                contexts.put(context.id(), context);
                clients.put(context.id(), client);
                return client;
            } catch (IOException e) {
                throw NetException.generic("%s: %s", context.id(), e.getMessage());
            }
        }
    }
}
