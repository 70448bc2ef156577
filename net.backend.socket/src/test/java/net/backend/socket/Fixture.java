package net.backend.socket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import net.testkit.TestRuntime;
import net.testlib.Ports;

/** The test kit's runtime with this bundle's three drivers, and what the tests ask of a socket netdev. */
final class Fixture extends TestRuntime {

    final SocketDriver socket = new SocketDriver();
    private final List<Peer> peers = new ArrayList<>();

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

    /**
     * A {@code socket,listen} netdev {@code t} on hub 1 with {@code id}, and a Java client: the far
     * end of what a test checks. It is closed with the fixture.
     */
    Peer tap(String id) throws Exception {
        int port = freePort();
        netdev("socket,id=t,listen=127.0.0.1:" + port);
        hub(id, "t");
        Peer peer = Peer.connect(port);
        peers.add(peer);
        awaitConnectionFrom("t", peer);
        return peer;
    }

    /** @return a TCP port nobody listens on now */
    static int freePort() {
        return Ports.freeTcpPort();
    }

    @Override
    public void close() {
        try {
            for (Peer peer : peers) {
                peer.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            super.close();
        }
    }
}
