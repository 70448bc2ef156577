package net.example.udpwire;

import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code udpwire} netdev type: each Ethernet frame travels as one UDP datagram between
 * {@code local} and {@code remote}. A deliberately small driver that shows the whole SPI.
 */
@Component(service = NetClientDriver.class)
@NetType("udpwire")
public final class UdpWireDriver implements NetClientDriver<UdpWireOptions> {

    @Override
    public Class<UdpWireOptions> optionsType() {
        return UdpWireOptions.class;
    }

    @Override
    public NetClient open(UdpWireOptions options, NetClientContext context) throws NetException {
        // Check both addresses before a socket exists, so a bad option leaves nothing open.
        var local = HostPort.parse(options.local());
        var remote = HostPort.parse(options.remote());
        return UdpWireBackend.open(local, remote, context);
    }
}
