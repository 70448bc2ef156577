package net.backend.dump;

import java.nio.file.Path;
import java.util.OptionalInt;
import net.api.NetClientContext;
import net.api.NetException;
import net.driverkit.OutputFiles;

/**
 * Where a {@code dump} netdev records: only as a hub member, as QEMU's {@code -net dump} was (its
 * default file is named after the hub). A {@code -net dump} is on its hub when it opens; a
 * {@code -netdev dump} joins one later through {@code hubport,netdev=}, so until then its capture
 * is held, and the first peer it is given decides: a hub port releases it into its file, anything
 * else (a NIC) refuses it.
 */
final class HubTarget {

    private final NetClientContext context;
    private final Capture capture;
    private final String file;
    private final OutputFiles outputs;
    /** Whether the capture was released or refused; later peer changes do not move it. Loop only. */
    private boolean decided;

    /**
     * @param context the dump's context
     * @param capture its capture, held when the dump is on no hub yet
     * @param file    the file the user gave, or null for the hub's default name
     * @param onHub   whether the dump opened on its hub (its capture is not held)
     * @param outputs where the default file may be written
     */
    HubTarget(NetClientContext context, Capture capture, String file, boolean onHub, OutputFiles outputs) {
        this.context = context;
        this.capture = capture;
        this.file = file;
        this.outputs = outputs;
        this.decided = onHub;
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

    /** The dump's peer was set or cleared ({@code NetClient.peerChanged}). Loop only. */
    void peerChanged() {
        if (decided) {
            return;
        }
        // Only a new peer reaches an undecided dump: it had none since it opened.
        decided = true;
        OptionalInt hub = context.hubId();
        if (hub.isEmpty()) {
            capture.refuse(notOnHub(context.id()));
        } else if (file != null) {
            capture.release(null); // the file is open already
        } else {
            String named = defaultFile(hub.getAsInt());
            try {
                outputs.check(named); // the working directory may be the deploy directory
                capture.release(Path.of(named));
            } catch (NetException e) {
                capture.refuse(e.getMessage());
            }
        }
    }
}
