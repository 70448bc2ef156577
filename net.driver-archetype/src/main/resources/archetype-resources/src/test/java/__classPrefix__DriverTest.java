package ${package};

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import net.testkit.TestRuntime;
import net.testlib.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The driver in Patchbay's real runtime, outside OSGi: a {@value ${classPrefix}Driver#TYPE} netdev and
 * the test kit's {@code inject} netdev on one hub, and a UDP socket of the test as the far end of
 * the wire.
 */
class ${classPrefix}DriverTest {

    private TestRuntime net;
    /** The far end of the wire. */
    private DatagramSocket wire;

    @BeforeEach
    void start() throws Exception {
        net = new TestRuntime(1).netdevType(${classPrefix}Driver.TYPE, new ${classPrefix}Driver());
        wire = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        wire.setSoTimeout((int) Await.DEFAULT.toMillis());
    }

    @AfterEach
    void stop() {
        wire.close();
        net.close();
    }

    @Test
    void framesTravelBothWays() throws Exception {
        net.netdev("${type},id=w0,remote=127.0.0.1:" + wire.getLocalPort());
        net.netdev("inject,id=i0");
        net.hub("w0", "i0");

        // From the hub to the wire: one frame, one datagram.
        byte[] out = frame(1);
        net.inject.get("i0").send(List.of(out));
        DatagramPacket datagram = new DatagramPacket(new byte[2048], 2048);
        wire.receive(datagram);
        assertArrayEquals(out, Arrays.copyOf(datagram.getData(), datagram.getLength()));

        // From the wire to the hub: a datagram to the netdev's local address.
        byte[] in = frame(2);
        wire.send(new DatagramPacket(in, in.length, datagram.getSocketAddress()));
        Await.until(() -> net.inject.get("i0").count() == 1, "the frame from the wire on the hub");
        assertArrayEquals(in, net.inject.get("i0").received().get(0));

        var counters = net.client("w0").counters();
        assertEquals(1, counters.rxFrames(), "frames from the hub put on the wire");
        assertEquals(1, counters.txFrames(), "frames from the wire handed to the hub");
        assertEquals("${type}: local=127.0.0.1:" + datagram.getPort() + " remote=127.0.0.1:" + wire.getLocalPort(),
                net.info("w0"));
    }

    @Test
    void optionErrorsAreQemus() {
        assertEquals("Parameter 'remote' is missing", net.error("${type},id=w1"));
        assertEquals("port number '65536' is invalid", net.error("${type},id=w1,remote=127.0.0.1:65536"));
        assertEquals("address resolution failed for example.org:80: not an IP address",
                net.error("${type},id=w1,remote=example.org:80"));
    }

    /** A broadcast Ethernet frame of the minimum size, marked with {@code n}. */
    private static byte[] frame(int n) {
        byte[] frame = new byte[60];
        Arrays.fill(frame, 0, 6, (byte) 0xff);
        frame[6] = 0x02; // a locally administered source address
        frame[11] = (byte) n;
        frame[12] = (byte) 0x88; // EtherType 0x88b5, for local experiments
        frame[13] = (byte) 0xb5;
        frame[14] = (byte) n;
        return frame;
    }
}
