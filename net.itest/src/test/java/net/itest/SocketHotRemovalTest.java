package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import javax.inject.Inject;
import net.control.NetControl;
import net.control.Section;
import net.control.QemuOptions;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The socket driver bundle under hot removal: uninstalling it closes its listening socket at once
 * (the port can be bound again) and parks the netdev as pending; installing it again listens
 * again, and two QEMU-framed clients talk through the hub.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class SocketHotRemovalTest {

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay();
    }

    @Test
    public void uninstallFreesTheListeningPortAndReinstallListensAgain() throws Exception {
        Bundle socket = Provisioning.startDriver(context, control, Provisioning.SOCKET, "socket");
        int port = freePort();
        int other = freePort();
        control.add(Section.NETDEV, QemuOptions.parse("socket,id=s0,listen=127.0.0.1:" + port, "type"));
        control.add(Section.NETDEV, QemuOptions.parse("socket,id=s1,listen=127.0.0.1:" + other, "type"));
        control.add(Section.NETDEV, QemuOptions.parse("hubport,id=h0,hubid=1,netdev=s0", "type"));
        control.add(Section.NETDEV, QemuOptions.parse("hubport,id=h1,hubid=1,netdev=s1", "type"));
        assertFramesCross(port, other);

        socket.uninstall();
        Await.await("s0 to be pending", () -> control.client("s0").state().equals("pending"));
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertTrue("the port is free again at once", again.isBound());
        }
        assertEquals(Map.of("listen", "127.0.0.1:" + port), control.client("s0").options());
        assertEquals("h0", control.client("s0").peer());

        Provisioning.startDriver(context, control, Provisioning.SOCKET, "socket");
        Await.await("s0 to be active again", () -> control.client("s0").state().equals("active"));
        Await.await("s1 to be active again", () -> control.client("s1").state().equals("active"));
        assertFramesCross(port, other);
    }

    /** A frame written with QEMU's framing to one listener arrives, framed, at the other. */
    private static void assertFramesCross(int from, int to) throws Exception {
        try (Socket a = connect(from); Socket b = connect(to)) {
            byte[] frame = new byte[1514];
            for (int i = 0; i < frame.length; i++) {
                frame[i] = (byte) i;
            }
            // The listener may still be accepting b when a's first frame arrives: resend until b sees one.
            DataInputStream in = new DataInputStream(b.getInputStream());
            DataOutputStream out = new DataOutputStream(a.getOutputStream());
            Await.await("a frame from " + from + " at " + to, () -> {
                out.writeInt(frame.length);
                out.write(frame);
                out.flush();
                return in.available() >= 4 + frame.length;
            });
            assertEquals(frame.length, in.readInt());
            byte[] got = new byte[frame.length];
            in.readFully(got);
            assertTrue("the frame arrives unchanged", java.util.Arrays.equals(frame, got));
        }
    }

    private static Socket connect(int port) throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) Await.TIMEOUT.toMillis());
        s.setSoTimeout((int) Await.TIMEOUT.toMillis());
        return s;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
