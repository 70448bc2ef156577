package net.driverkit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * Which management client is creating a netdev now, so that the driver's {@code fd=NAME} finds
 * the descriptor that client passed and named with QMP's {@code getfd} (QEMU's current monitor,
 * as its {@code monitor_fd_param} consults it). A front end that runs {@code netdev_add}
 * {@linkplain #enter enters} its monitor for the new netdev's id around the command;
 * {@link InheritedDescriptors#take} asks the monitor of the netdev it opens. Keyed by the netdev's
 * id because the driver opens on an event loop, not on the thread that runs the command.
 */
public final class MonitorDescriptors {

    /** A management client's named descriptors (QEMU's per-monitor {@code getfd} table). */
    @FunctionalInterface
    public interface Monitor {
        /**
         * Removes a named descriptor from the monitor: the caller owns it from now on, as
         * QEMU's {@code monitor_get_fd} hands it over.
         *
         * @param name the name given to {@code getfd}
         * @return the descriptor, or -1 when the monitor has none by that name
         */
        int take(String name);
    }

    /** The monitor entered for a netdev, until {@link #close()}. */
    public static final class Scope implements AutoCloseable {
        private final String netdev;
        private final CountDownLatch closed = new CountDownLatch(1);
        private final Monitor monitor;

        private Scope(String netdev, Monitor monitor) {
            this.netdev = netdev;
            this.monitor = monitor;
        }

        /** Leaves the monitor: the netdev's command is over. */
        @Override
        public void close() {
            RUNNING.remove(netdev, this);
            closed.countDown();
        }
    }

    private static final Map<String, Scope> RUNNING = new ConcurrentHashMap<>();

    private MonitorDescriptors() {
    }

    /**
     * Enters a monitor for the command that creates a netdev. Commands for the same id from two
     * clients take turns (the runtime runs them one after the other anyway), so a driver never
     * consults the wrong client's descriptors.
     *
     * @param netdev  the id of the netdev the command creates
     * @param monitor the client running it
     * @return the scope to close when the command returns
     * @throws InterruptedException when interrupted while another client's command for that id runs
     */
    public static Scope enter(String netdev, Monitor monitor) throws InterruptedException {
        Scope scope = new Scope(netdev, monitor);
        for (Scope other = RUNNING.putIfAbsent(netdev, scope); other != null;
                other = RUNNING.putIfAbsent(netdev, scope)) {
            other.closed.await();
        }
        return scope;
    }

    /**
     * @param netdev a netdev's id
     * @return the monitor whose command is creating it, or null (the command line, a
     *         configuration file, a driver reopening a netdev: QEMU's "no current monitor")
     */
    static Monitor running(String netdev) {
        Scope scope = RUNNING.get(netdev);
        return scope == null ? null : scope.monitor;
    }
}
