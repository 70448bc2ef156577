package net.backend.vde;

import java.nio.file.Files;
import java.nio.file.Path;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import net.driverkit.QemuNumbers;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code vde} netdev type: a port of a VDE switch ({@code vde_switch}), taken with the switch's
 * own protocol over unix sockets, with QEMU 7.2's options, defaults, checks and words.
 */
@Component(service = NetClientDriver.class)
@NetType("vde")
public final class VdeDriver implements NetClientDriver<VdeOptions> {

    /** The data socket's permissions when {@code mode} is not given. */
    static final int DEFAULT_MODE = 0700;
    /** Where the switch is looked for without {@code sock}: the system's switch, then a user's. */
    static final Path SYSTEM_SWITCH = Path.of("/var/run/vde.ctl");
    static final Path USER_SWITCH = Path.of("/tmp/vde.ctl");

    @Override
    public Class<VdeOptions> optionsType() {
        return VdeOptions.class;
    }

    @Override
    public NetClient open(VdeOptions options, NetClientContext context) throws NetException {
        // QEMU's option visitor parses the members in schema order, so their errors come first.
        Integer port = QemuNumbers.uint16("port", options.port());
        Integer mode = QemuNumbers.uint16("mode", options.mode());
        String sock = options.sock();
        Path dir;
        if (sock == null || sock.isEmpty()) {
            dir = Files.exists(SYSTEM_SWITCH.resolve("ctl")) ? SYSTEM_SWITCH : USER_SWITCH;
        } else {
            dir = Path.of(sock);
        }
        return VdeBackend.open(context, dir, sock == null ? "(null)" : sock, port == null ? 0 : port, options.group(),
                mode == null ? DEFAULT_MODE : mode);
    }
}
