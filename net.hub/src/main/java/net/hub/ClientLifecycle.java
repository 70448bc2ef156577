package net.hub;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import net.api.NetClient;
import net.api.NetClientDriver;
import net.api.NetException;
import net.control.NetdevTypes;
import net.api.NetFilter;
import net.api.NetFilterDriver;
import net.api.NicModel;
import net.api.RxFilterReporter;
import net.hub.data.ClientContext;
import net.hub.data.FilterContext;
import net.hub.data.NetClientState;
import net.hub.data.NetFilterState;
import net.hub.loop.ClientLoop;
import net.hub.loop.EventLoop;

/**
 * Opening, closing and releasing backends, NICs and filters. Options are bound on the calling
 * control thread; {@code open()} and {@code close()} run on the client's loop, awaited with a
 * deadline; {@code release()} runs on the calling control thread once the loop has closed, with
 * no lock held, so queries and other netdevs go on meanwhile. An open that finishes after its
 * deadline is closed and released at once, and its entry stays failed with the reason.
 */
final class ClientLifecycle {

    private final OptionBinder binder;
    private final ClientContext.EventSink events;
    private final Duration timeout;
    private final System.Logger log;

    ClientLifecycle(OptionBinder binder, ClientContext.EventSink events, Duration timeout, System.Logger log) {
        this.binder = binder;
        this.events = events;
        this.timeout = timeout;
        this.log = log;
    }

    // ---- netdevs and NICs ------------------------------------------------------------------------

    /**
     * Opens an entry with a netdev driver or NIC model. On failure the entry records why.
     *
     * @throws NetException the driver's error, the binder's, or the deadline's
     */
    @SuppressWarnings("unchecked")
    void open(ClientEntry e, Object driver) throws NetException {
        NetClientState state = e.state;
        Class<?> optionsType = driver instanceof NetClientDriver<?> d ? d.optionsType()
                : ((NicModel<?>) driver).optionsType();
        try {
            Object options = state.kind() == NetClientState.Kind.NIC
                    ? binder.bindDevice(optionsType, e.options, state.type())
                    : binder.bind(optionsType, e.options, NetdevTypes.isKeyval(state.type()));
            if (state.kind() != NetClientState.Kind.NIC) {
                e.options = binder.typed(optionsType, e.options);
            }
            onLoop(state.loop(), () -> {
                ClientLoop clientLoop = new ClientLoop(state.loop(), state.log());
                ClientContext context = new ClientContext(state, clientLoop, events);
                NetClient client;
                try {
                    client = driver instanceof NetClientDriver<?> d ? ((NetClientDriver<Object>) d).open(options, context)
                            : ((NicModel<Object>) driver).open(options, context);
                    if (client == null) {
                        throw NetException.generic("Device '%s' could not be initialized", state.type());
                    }
                } catch (NetException ex) {
                    clientLoop.close();
                    throw ex;
                } catch (RuntimeException ex) {
                    clientLoop.close();
                    throw driverThrew(state.log(), state.name(), state.type(), "open", ex);
                }
                state.open(client, clientLoop, context);
                if (state.peer() != null) {
                    peerChanged(state); // opened into its place: -net, or its driver came back
                }
                return client;
            }, late -> {
                // The control thread gave up on this open: nobody owns what it opened.
                if (state.client() == late) {
                    state.close();
                }
                state.log().log(System.Logger.Level.WARNING, state + ": open() returned after " + seconds()
                        + " s; closed again");
                releaseLater(state, late);
            }, "the driver's open() did not return within " + seconds() + " s");
        } catch (NetException ex) {
            e.error = ex.getMessage();
            e.openedBy = null;
            throw ex;
        }
        e.error = null;
        e.openedBy = driver;
        if (driver instanceof NicModel<?> && NicAddress.isDefault(optionsType, e.options)) {
            keepDefaultAddress(e);
        }
    }

    /** A NIC that got a default address keeps it among its options ({@link NicAddress}). */
    private void keepDefaultAddress(ClientEntry e) {
        String mac = quietly(() -> onLoop(e.state.loop(),
                () -> e.state.client() instanceof RxFilterReporter r ? r.rxFilter().mainMac() : null));
        if (mac != null) {
            e.options = NicAddress.kept(e.options, mac);
        }
    }

    /**
     * A driver that throws where it should return or throw a NetException has a bug: one log line
     * with the exception, and QEMU's words for a backend that could not start to whoever asked.
     *
     * @return the error for the caller, with the exception as its cause
     */
    private static NetException driverThrew(System.Logger log, String name, String type, String call,
            RuntimeException ex) {
        log.log(System.Logger.Level.ERROR, name + ": the driver's " + call + "() threw " + ex, ex);
        return new NetException(net.api.ErrorClass.GenericError,
                String.format("Device '%s' could not be initialized", type), ex);
    }

    /** Closes what runs on the loop and releases it here; the entry stays, pending. */
    void closeAndRelease(ClientEntry e) {
        NetClientState state = e.state;
        NetClient closed = null;
        try {
            closed = onLoop(state.loop(), () -> closeOnLoop(state), late -> releaseLater(state, late),
                    "closing took longer than " + seconds() + " s");
        } catch (NetException ex) {
            log.log(System.Logger.Level.ERROR, e + ": " + ex.getMessage());
            e.error = ex.getMessage(); // failed, with the reason, until it opens again
        }
        e.openedBy = null;
        release(state, closed);
    }

    /**
     * Closes an entry for good: its backend closes, its peer is detached (a NIC peer loses its
     * carrier), then the backend is released here.
     */
    void delete(ClientEntry e) throws NetException {
        NetClientState state = e.state;
        NetClient closed;
        try {
            closed = onLoop(state.loop(), () -> closeAndDetach(state), late -> releaseLater(state, late),
                    "closing took longer than " + seconds() + " s");
        } catch (NetException ex) {
            // The close goes on on the loop and is released when it returns; until then the entry
            // stays, failed, and a second netdev_del finds it closed.
            e.error = ex.getMessage();
            e.openedBy = null;
            throw ex;
        }
        e.openedBy = null;
        release(state, closed);
    }

    /** @return the backend that was open, for {@link #release}, or null; call on the loop */
    private static NetClient closeAndDetach(NetClientState state) {
        NetClient client = closeOnLoop(state);
        NetClientState peer = state.peer();
        if (peer != null) {
            peer.peer(null);
            state.peer(null);
            if (peer.kind() == NetClientState.Kind.NIC) {
                peer.carrierLost();
            }
            peerChanged(peer);
            if (peer.hubPort() != null) {
                peer.hubPort().hub().flushOthers(peer); // a port without a peer takes anything
            }
        }
        return client;
    }

    /** @return the backend that was open, for {@link #release}, or null */
    private static NetClient closeOnLoop(NetClientState state) {
        NetClient client = state.client();
        state.close();
        return client;
    }

    /** The blocking half of closing, on this control thread once the loop has closed the backend. */
    private static void release(NetClientState state, NetClient closed) {
        if (closed == null) {
            return;
        }
        try {
            closed.release();
        } catch (RuntimeException ex) {
            state.log().log(System.Logger.Level.ERROR, state.name() + ": release failed: " + ex, ex);
        }
    }

    /** Releases what nobody waits for any more (it closed after its deadline), on a thread of its own. */
    private static void releaseLater(NetClientState state, NetClient closed) {
        Thread.ofPlatform().daemon().name("patchbay-release-" + state.name()).start(() -> release(state, closed));
    }

    /** Tells an open client that its peer changed; call on its loop. A backend that throws is logged. */
    static void peerChanged(NetClientState state) {
        NetClient client = state.client();
        if (client == null) {
            return;
        }
        try {
            client.peerChanged();
        } catch (RuntimeException ex) {
            state.log().log(System.Logger.Level.ERROR, state.name() + ": peerChanged failed: " + ex, ex);
        }
    }

    // ---- filters ---------------------------------------------------------------------------------

    /**
     * Opens a filter on its netdev's loop. On failure the entry records why.
     *
     * @throws NetException the driver's error, the binder's, or the deadline's
     */
    @SuppressWarnings("unchecked")
    void open(FilterEntry f, NetFilterDriver<?> driver) throws NetException {
        NetFilterState state = f.state;
        EventLoop loop = state.netdev().loop();
        try {
            Object options = binder.bind(driver.optionsType(), f.options, false);
            f.instance = onLoop(loop, () -> {
                ClientLoop filterLoop = new ClientLoop(loop, state.netdev().log());
                try {
                    NetFilter filter = ((NetFilterDriver<Object>) driver).open(options,
                            new FilterContext(state, filterLoop, events));
                    if (filter == null) {
                        throw NetException.generic("Device '%s' could not be initialized", state.type());
                    }
                    state.open(filter, filterLoop);
                    return filter;
                } catch (NetException ex) {
                    filterLoop.close();
                    throw ex;
                } catch (RuntimeException ex) {
                    filterLoop.close();
                    throw driverThrew(state.netdev().log(), state.id(), state.type(), "open", ex);
                }
            }, late -> {
                state.close();
                releaseLater(state, late);
            }, "the filter's open() did not return within " + seconds() + " s");
        } catch (NetException ex) {
            f.error = ex.getMessage();
            f.openedBy = null;
            throw ex;
        }
        f.error = null;
        f.openedBy = driver;
    }

    /** Closes a filter on its netdev's loop and releases it here; the entry stays, pending. */
    void closeAndRelease(FilterEntry f) {
        NetFilterState state = f.state;
        quietly(() -> onLoop(state.netdev().loop(), () -> {
            state.close();
            return null;
        }, late -> { }, "closing took longer than " + seconds() + " s"));
        release(f);
    }

    /** Takes a filter out of its chain and closes it on the loop, then releases it here. */
    void delete(FilterEntry f) throws NetException {
        NetFilterState state = f.state;
        NetClientState netdev = state.netdev();
        onLoop(netdev.loop(), () -> {
            state.close();
            netdev.filters(FilterPlacement.without(netdev.filters(), state));
            return null;
        }, late -> { }, "closing took longer than " + seconds() + " s");
        release(f);
    }

    private static void release(FilterEntry f) {
        NetFilter closed = f.instance;
        f.instance = null;
        f.openedBy = null;
        if (closed == null) {
            return;
        }
        try {
            closed.release();
        } catch (RuntimeException ex) {
            f.state.netdev().log().log(System.Logger.Level.ERROR, f.id() + ": release failed: " + ex, ex);
        }
    }

    private static void releaseLater(NetFilterState state, NetFilter closed) {
        Thread.ofPlatform().daemon().name("patchbay-release-" + state.id()).start(() -> {
            try {
                closed.release();
            } catch (RuntimeException ex) {
                state.netdev().log().log(System.Logger.Level.ERROR, state.id() + ": release failed: " + ex, ex);
            }
        });
    }

    // ---- steps on a loop ---------------------------------------------------------------------------

    /**
     * Runs a control step on a loop and waits for it, turning failures into QEMU-style errors; a
     * result that comes after the deadline is dropped.
     */
    <T> T onLoop(EventLoop loop, Callable<T> step) throws NetException {
        return onLoop(loop, step, late -> { }, loop + " did not answer within " + seconds() + " s");
    }

    private <T> T onLoop(EventLoop loop, Callable<T> step, Consumer<? super T> late, String timedOut)
            throws NetException {
        try {
            return loop.call(step, timeout, late);
        } catch (NetException e) {
            throw e;
        } catch (TimeoutException e) {
            throw NetException.generic("%s", timedOut);
        } catch (RejectedExecutionException e) {
            throw NetException.generic("%s", e.getMessage()); // shut down: nothing runs there any more
        } catch (Exception e) {
            log.log(System.Logger.Level.ERROR, "control operation failed: " + e, e);
            throw NetException.generic("internal error: %s", e);
        }
    }

    /** A step that must not fail its caller: the failure is logged. */
    @FunctionalInterface
    interface Step<T> {
        T run() throws NetException;
    }

    <T> T quietly(Step<T> step) {
        try {
            return step.run();
        } catch (NetException e) {
            log.log(System.Logger.Level.ERROR, e.getMessage());
            return null;
        }
    }

    private String seconds() {
        return timeout.toMillis() % 1000 == 0 ? String.valueOf(timeout.toSeconds()) : String.valueOf(timeout.toMillis() / 1000.0);
    }
}
