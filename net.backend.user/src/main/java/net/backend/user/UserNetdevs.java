package net.backend.user;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import net.api.NetEventLoop;
import net.api.NetException;
import org.osgi.service.component.annotations.Component;

/**
 * The open {@code user} netdevs, in the order they were made (QEMU's list of slirp stacks), for
 * the monitor's {@code info usernet}, {@code hostfwd_add} and {@code hostfwd_remove}.
 */
@Component(service = UserNetdevs.class)
public final class UserNetdevs {

    /** How long a monitor command waits for a netdev's loop. */
    private static final long WAIT_SECONDS = 5;

    /** One open netdev: its backend and the loop it runs on. */
    record Open(String id, UserBackend backend, NetEventLoop loop) {
        /**
         * Runs on the netdev's loop and waits for the answer.
         *
         * @throws NetException when the loop does not answer in time (the netdev is closing)
         */
        <T> T call(Supplier<T> task) throws NetException {
            CompletableFuture<T> result = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    result.complete(task.get());
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
            try {
                return result.get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw NetException.generic("netdev '%s' did not answer", id);
            } catch (ExecutionException | TimeoutException e) {
                throw NetException.generic("netdev '%s' did not answer", id);
            }
        }
    }

    private final Map<String, Open> open = new LinkedHashMap<>();

    synchronized void add(Open netdev) {
        open.put(netdev.id(), netdev);
    }

    synchronized void remove(String id, UserBackend backend) {
        open.computeIfPresent(id, (k, v) -> v.backend() == backend ? null : v);
    }

    /** @return the open netdevs, oldest first */
    synchronized List<Open> all() {
        return new ArrayList<>(open.values());
    }

    /** @return the netdev, or null */
    synchronized Open get(String id) {
        return open.get(id);
    }
}
