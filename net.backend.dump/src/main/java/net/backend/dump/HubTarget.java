package net.backend.dump;

import java.nio.file.Path;
import net.api.NetException;
import net.api.control.NetControl;
import net.api.dto.NetClientDTO;

/**
 * Where a {@code dump} netdev may record: only as a hub member, as QEMU's {@code -net dump} was
 * (its default file is named after the hub). The backend cannot see its peer, and the runtime
 * attaches a {@code -net} client to its hub port only after opening it, so the writer thread asks
 * the control service once the netdev has a peer: right away, then whenever a frame arrives (only
 * a peer sends one), else once a second.
 */
final class HubTarget implements Capture.Target {

    private static final String HUBPORT = "hubport";

    private final NetControl control;
    private final String netdev;
    private final String file;

    /**
     * @param control the runtime's control service
     * @param netdev  the dump netdev's id
     * @param file    the file the user gave, or null for the hub's default name
     */
    HubTarget(NetControl control, String netdev, String file) {
        this.control = control;
        this.netdev = netdev;
        this.file = file;
    }

    /** @return QEMU's default file for a dump on hub {@code hub} */
    static String defaultFile(int hub) {
        return "qemu-vlan" + hub + ".pcap";
    }

    @Override
    public Path resolve(Capture capture) throws Capture.StopCapture, InterruptedException {
        while (!capture.closing()) {
            NetClientDTO self;
            NetClientDTO peer;
            try {
                self = control.client(netdev);
                peer = self.peer() == null ? null : control.client(self.peer());
            } catch (NetException e) {
                break; // the netdev is being deleted
            }
            if (peer != null) {
                if (!HUBPORT.equals(peer.kind()) || peer.hub() == null) {
                    throw new Capture.StopCapture(notOnHub(netdev));
                }
                return Path.of(file != null ? file : defaultFile(peer.hub()));
            }
            capture.awaitFrame(1000);
            Thread.sleep(20); // a frame that arrived before the peer shows must not make this spin
        }
        // Closed before the hub was known: keep what was recorded if there is a file to keep it in.
        if (file != null) {
            return Path.of(file);
        }
        throw new InterruptedException();
    }

    /**
     * @param id the dump netdev
     * @return the error for a dump used anywhere but on a hub
     */
    static String notOnHub(String id) {
        return "dump '" + id + "' is not on a hub: use -net dump[,vlan=N] or -netdev hubport,hubid=N,netdev=" + id;
    }
}
