package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import javax.inject.Inject;
import net.control.NetControl;
import net.control.QemuOptions;
import net.control.Section;
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
 * The {@code user} netdev's bundle (libslirp bound through FFM) installed into a running framework
 * and removed again while its netdev forwards a host port: the port and the connections through
 * it close with the bundle, and come back under the same netdev with it. No root needed.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class UserHotRemovalTest {

    private static final String ACCEPTED = "accepted";
    private static final String REFUSED = "refused";

    private static final InetAddress LOOPBACK = address(127, 0, 0, 1);

    /**
     * Where the probes connect from: a refused connect from 127.0.0.1 to a port in the ephemeral
     * range may be given that port as its own source and connect to itself.
     */
    private static final InetAddress PROBE = address(127, 0, 0, 2);

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay();
    }

    @Test
    public void aForwardedPortClosesWithItsBundleAndListensAgainWithIt() throws Exception {
        int port = freeTcpPort();
        Bundle user = Provisioning.startDriver(context, control, Provisioning.USER, "user");
        try {
            control.add(Section.NETDEV, QemuOptions.parse("user,id=u0,hostfwd=tcp:127.0.0.1:" + port + "-:80", "type"));
            assertEquals("active", control.client("u0").state());
            assertEquals("the forwarded port", ACCEPTED, probe(port));

            try (Socket open = connect(port)) {
                user.uninstall();
                Await.await("u0 to be pending", () -> control.client("u0").state().equals("pending"));
                assertEquals("the forwarded port at once", REFUSED, probe(port));
                assertTrue("a connection through it ends with the bundle", ended(open));
            }

            Provisioning.startDriver(context, control, Provisioning.USER, "user");
            Await.await("u0 to be active again", () -> control.client("u0").state().equals("active"));
            assertEquals("user", control.client("u0").type());
            assertEquals("the forwarded port again", ACCEPTED, probe(port));
        } finally {
            control.netdevDel("u0");
        }
        assertEquals("the port after netdev_del", REFUSED, probe(port));
    }

    /** @return what a TCP connect to the port on 127.0.0.1 meets: accepted, refused or unanswered */
    private static String probe(int port) throws IOException {
        try {
            connect(port).close();
            return ACCEPTED;
        } catch (ConnectException refused) {
            return REFUSED;
        } catch (SocketTimeoutException unanswered) {
            // A listener nobody accepts on any more, its backlog full.
            return "unanswered";
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(PROBE, 0));
            s.connect(new InetSocketAddress(LOOPBACK, port), (int) Await.TIMEOUT.toMillis());
            s.setSoTimeout((int) Await.TIMEOUT.toMillis());
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** @return whether the other end closed or reset the connection (no guest sends anything on it) */
    private static boolean ended(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            return in.read() == -1;
        } catch (SocketException reset) {
            return true;
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    private static InetAddress address(int... bytes) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) bytes[0], (byte) bytes[1], (byte) bytes[2], (byte) bytes[3]});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
