package net.itest;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/** The test's end of a udpwire netdev: a UDP socket on 127.0.0.1 at an ephemeral port. */
final class UdpPeer implements AutoCloseable {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final DatagramSocket socket;
    private final byte[] buffer = new byte[70_000];

    UdpPeer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    }

    /** @return the address a udpwire netdev's {@code remote} names to reach this peer */
    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /**
     * @param port  a udpwire netdev's local port on 127.0.0.1
     * @param frame the frame, sent as one datagram
     * @throws IOException when the kernel refuses it
     */
    void send(int port, byte[] frame) throws IOException {
        socket.send(new DatagramPacket(frame, frame.length, LOOPBACK, port));
    }

    /**
     * @param timeout how long to wait
     * @return the next datagram, or null when none came in time
     * @throws IOException on a socket error
     */
    byte[] receive(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
    }

    @Override
    public void close() {
        socket.close();
    }
}
