package net.backend.dump;

import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import net.api.NetClientContext;
import net.api.NetEventLoop;

/**
 * Where a {@code dump} netdev records: only as a hub member, as QEMU's {@code -net dump} was (its
 * default file is named after the hub). A {@code -net dump} is on its hub when it opens; a
 * {@code -netdev dump} joins one later through {@code hubport,netdev=}, so until then its capture
 * is held and this asks the client's context on the loop: four times a second, and at the first frame
 * (only a peer sends one, so a dump still not on a hub then is peered with something else).
 */
final class HubTarget {

    /** Cheap (a field read on the loop) and short, so the file is named soon after the hubport is made. */
    private static final long CHECK_MILLIS = 250;

    private final NetClientContext context;
    private final Capture capture;
    private final String file;
    /** The next check; null once the capture was released or refused. Loop only. */
    private NetEventLoop.Cancellable check;

    /**
     * Starts checking. Call on the loop, in {@code open}.
     *
     * @param context the dump's context
     * @param capture its held capture
     * @param file    the file the user gave, or null for the hub's default name
     */
    HubTarget(NetClientContext context, Capture capture, String file) {
        this.context = context;
        this.capture = capture;
        this.file = file;
        this.check = context.loop().schedule(this::tick, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** @return QEMU's default file for a dump on hub {@code hub} */
    static String defaultFile(int hub) {
        return "qemu-vlan" + hub + ".pcap";
    }

    /**
     * @param id the dump netdev
     * @return the error for a dump used anywhere but on a hub
     */
    static String notOnHub(String id) {
        return "dump '" + id + "' is not on a hub: use -net dump[,vlan=N] or -netdev hubport,hubid=N,netdev=" + id;
    }

    /** A frame arrived: the dump has a peer now. Loop only; nothing to do once decided. */
    void frameArrived() {
        if (check != null) {
            check.cancel();
            check = null;
            if (!releaseIfOnHub()) {
                capture.refuse(notOnHub(context.id()));
            }
        }
    }

    private void tick() {
        if (check != null) {
            check = releaseIfOnHub() ? null : context.loop().schedule(this::tick, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** @return whether the dump is on a hub now; then its capture is released into its file */
    private boolean releaseIfOnHub() {
        OptionalInt hub = context.hubId();
        if (hub.isEmpty()) {
            return false;
        }
        // With file= the file is open already; else it is named after the hub now.
        capture.release(file != null ? null : Path.of(defaultFile(hub.getAsInt())));
        return true;
    }
}
