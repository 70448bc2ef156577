package net.example.udpwire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.api.SendResult;
import net.control.Section;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.InjectDriver.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A {@code udpwire} netdev in the real runtime, an inject NIC as its peer and a Java UDP socket as its far end. */
@Timeout(30)
class UdpWireTest {

    @Test
    void carriesOneFramePerDatagramBothWays() throws Exception {
        try (TestRuntime rt = new TestRuntime(1).netdevType("udpwire", new UdpWireDriver());
                DatagramSocket far = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            far.setSoTimeout(5000);
            rt.netdev("udpwire,id=u,remote=127.0.0.1:" + far.getLocalPort());
            rt.add(Section.DEVICE, "inject,id=nic,netdev=u");
            String info = rt.info("u");
            Matcher m = Pattern.compile("udpwire: local=127\\.0\\.0\\.1:(\\d+) remote=127\\.0\\.0\\.1:(\\d+)").matcher(info);
            assertTrue(m.matches() && Integer.parseInt(m.group(2)) == far.getLocalPort(), info);
            int local = Integer.parseInt(m.group(1));
            Inject nic = rt.inject.get("nic");

            List<byte[]> in = List.of(Frames.testFrame(1, 60), Frames.testFrame(2, 9000));
            for (byte[] frame : in) {
                far.send(new DatagramPacket(frame, frame.length, InetAddress.getLoopbackAddress(), local));
            }
            Await.until(() -> nic.count() == 2, "both frames at the NIC");
            assertArrayEquals(in.get(0), nic.received().get(0));
            assertArrayEquals(in.get(1), nic.received().get(1));

            List<byte[]> out = Frames.testFrames(3, 2, 1514);
            assertEquals(List.of(SendResult.SENT, SendResult.SENT), nic.send(out));
            for (byte[] frame : out) {
                DatagramPacket p = new DatagramPacket(new byte[70000], 70000);
                far.receive(p);
                assertArrayEquals(frame, Arrays.copyOf(p.getData(), p.getLength()));
            }
            assertEquals(0, rt.drops("u", "send-error"));
            assertEquals(0, rt.counter("u", "recv-error"));
        }
    }
}
