package net.backend.socket;

import net.testkit.Ports;
import net.testkit.TestRuntime;

/** The test kit's runtime with this bundle's three drivers, and what the tests ask of a socket netdev. */
final class Fixture extends TestRuntime {

    final SocketDriver socket = new SocketDriver();

    Fixture() {
        this(2);
    }

    Fixture(int loops) {
        super(loops);
        netdevType("socket", socket);
        netdevType("stream", new StreamDriver());
        netdevType("dgram", new DgramDriver());
    }

    /** Waits until a listening {@code socket} netdev shows {@code peer} as its connected client. */
    void awaitConnectionFrom(String id, Peer peer) throws Exception {
        awaitInfo(id, "socket: connection from 127.0.0.1:" + peer.socket.getLocalPort());
    }

    /** @return a TCP port nobody listens on now */
    static int freePort() {
        return Ports.freeTcpPort();
    }
}
