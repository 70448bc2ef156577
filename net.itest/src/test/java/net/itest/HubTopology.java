package net.itest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.api.SendResult;
import net.control.NetControl;
import net.control.Section;
import net.control.dto.NetClientDTO;

/**
 * The network the tests build on hub 1: memwire netdevs {@code m1}, {@code m2} and a udpwire
 * netdev (usually {@code u1}, its remote the test's {@link UdpPeer}), each joined to the hub by a
 * hubport peered with it ({@code hubport,hubid=1,netdev=...}: p1, p2, p3); and the checks that
 * frames cross it.
 */
final class HubTopology {

    static final int HUB = 1;

    /** How long a drain waits for the next frame before it yields to the await loop. */
    private static final Duration DRAIN_POLL = Duration.ofMillis(100);

    private static final Pattern LOCAL_PORT = Pattern.compile("^udpwire: local=127\\.0\\.0\\.1:(\\d+) remote=");

    private final NetControl control;
    private final MemWireDriver memwire;
    private final UdpPeer peer;
    private final String udpWire;
    private int sequence;

    /**
     * @param control the control service
     * @param memwire the registered memwire driver
     * @param peer    the remote end of the udpwire netdev
     * @param udpWire the udpwire netdev's id
     */
    HubTopology(NetControl control, MemWireDriver memwire, UdpPeer peer, String udpWire) {
        this.control = control;
        this.memwire = memwire;
        this.peer = peer;
        this.udpWire = udpWire;
    }

    /** The usual network: the udpwire netdev is {@code u1}. */
    HubTopology(NetControl control, MemWireDriver memwire, UdpPeer peer) {
        this(control, memwire, peer, "u1");
    }

    /**
     * @param keysAndValues alternating keys and values
     * @return the arguments in that order
     */
    static Map<String, Object> args(Object... keysAndValues) {
        Map<String, Object> args = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            args.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return args;
    }

    /** Adds m1 and m2, then hubports p1 and p2 peered with them. */
    void addMemWires() throws Exception {
        control.add(Section.NETDEV, args("type", MemWireDriver.TYPE, "id", "m1"));
        control.add(Section.NETDEV, args("type", MemWireDriver.TYPE, "id", "m2"));
        control.add(Section.NETDEV, args("type", "hubport", "id", "p1", "hubid", HUB, "netdev", "m1"));
        control.add(Section.NETDEV, args("type", "hubport", "id", "p2", "hubid", HUB, "netdev", "m2"));
    }

    /** Adds the udpwire netdev, then hubport p3 peered with it. */
    void addUdpWire() throws Exception {
        control.add(Section.NETDEV, args("type", "udpwire", "id", udpWire, "remote", peer.address()));
        addUdpWirePort();
    }

    /** Adds hubport p3 peered with the udpwire netdev, which exists already. */
    void addUdpWirePort() throws Exception {
        control.add(Section.NETDEV, args("type", "hubport", "id", "p3", "hubid", HUB, "netdev", udpWire));
    }

    /** @return the options the udpwire netdev keeps, as {@code NetClientDTO.options()} shows them */
    Map<String, Object> udpWireOptions() {
        return args("remote", peer.address());
    }

    /**
     * @param id an active udpwire netdev
     * @return the port its socket is bound to, read from its info string
     */
    int localPort(String id) throws Exception {
        NetClientDTO client = control.client(id);
        assertEquals(id + " state", "active", client.state());
        Matcher m = LOCAL_PORT.matcher(client.info());
        if (!m.find()) {
            throw new AssertionError(id + " info does not show its local address: " + client.info());
        }
        return Integer.parseInt(m.group(1));
    }

    /** A datagram sent to the udpwire netdev arrives unchanged at m1 and m2. */
    void assertUdpReachesMemWires() throws Exception {
        byte[] frame = Frames.tagged("peer->" + udpWire + " #" + ++sequence);
        peer.send(localPort(udpWire), frame);
        assertMemWireReceived("m1", frame);
        assertMemWireReceived("m2", frame);
    }

    /** A frame injected at m1 arrives at m2 and as a datagram at the peer, and not back at m1. */
    void assertMemWireReachesAll() throws Exception {
        byte[] frame = injectAtM1();
        assertMemWireReceived("m2", frame);
        byte[] datagram = peer.receive(Await.TIMEOUT);
        assertArrayEquals("datagram at the peer: " + Frames.describe(datagram), frame, datagram);
        assertEquals("frames m1 got back from its own hub", 0, memwire.wire("m1").pending());
    }

    /** A frame injected at m1 arrives at m2. */
    void assertMemWireReachesMemWire() throws Exception {
        assertMemWireReceived("m2", injectAtM1());
    }

    /**
     * A frame injected at m1 arrives at m2 after any frames still in flight from earlier traffic.
     */
    void assertMemWireReachesMemWireAfterTraffic() throws Exception {
        byte[] frame = injectAtM1();
        MemWire m2 = memwire.wire("m2");
        Await.await("m2 to receive " + Frames.describe(frame), () -> {
            for (byte[] got = m2.poll(DRAIN_POLL); got != null; got = m2.poll(DRAIN_POLL)) {
                if (Arrays.equals(got, frame)) {
                    return true;
                }
            }
            return false;
        });
    }

    private byte[] injectAtM1() throws Exception {
        byte[] frame = Frames.tagged("m1->hub #" + ++sequence);
        SendResult result = memwire.wire("m1").inject(frame).get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("m1's send to its hubport", SendResult.SENT, result);
        return frame;
    }

    private void assertMemWireReceived(String id, byte[] frame) throws InterruptedException {
        byte[] got = memwire.wire(id).poll(Await.TIMEOUT);
        assertArrayEquals(id + " received " + Frames.describe(got) + ", expected " + Frames.describe(frame), frame, got);
    }
}
