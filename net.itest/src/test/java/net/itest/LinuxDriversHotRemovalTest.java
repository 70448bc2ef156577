package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
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
 * The bundles built on {@code net.posix} and the capture bundle, installed into a running
 * framework and removed again while their netdevs exist: a TAP interface disappears from the host
 * with its bundle and comes back with it, an L2TPv3 netdev frees its UDP port, a pcap file is
 * complete when its writer's bundle goes. Each bundle resolves with net.api alone.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class LinuxDriversHotRemovalTest {

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay();
    }

    @Test
    public void aTapInterfaceLeavesWithItsBundleAndReturnsWithIt() throws Exception {
        String name = "pbit" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
        Path sys = Path.of("/sys/class/net", name);
        Bundle tap = Provisioning.startDriver(context, control, Provisioning.TAP, "tap");
        try {
            control.add(Section.NETDEV, QemuOptions.parse("tap,id=t0,ifname=" + name + ",script=no,downscript=no", "type"));
            assertTrue(name + " exists", Files.exists(sys));

            tap.uninstall();
            Await.await("t0 to be pending", () -> control.client("t0").state().equals("pending"));
            Await.await(name + " to be gone with the bundle", () -> !Files.exists(sys));

            tap = Provisioning.startDriver(context, control, Provisioning.TAP, "tap");
            Await.await("t0 to be active again", () -> control.client("t0").state().equals("active"));
            assertTrue(name + " is back", Files.exists(sys));
        } finally {
            control.netdevDel("t0");
        }
        assertFalse(name + " removed with its netdev", Files.exists(sys));
    }

    @Test
    public void anL2tpv3NetdevFreesItsPortWithItsBundle() throws Exception {
        int port = freeUdpPort();
        Provisioning.startDriver(context, control, Provisioning.L2TPV3, "l2tpv3");
        control.add(Section.NETDEV, QemuOptions.parse("l2tpv3,id=l0,src=127.0.0.1,dst=127.0.0.1,udp=on,srcport="
                + port + ",dstport=" + freeUdpPort() + ",txsession=7,rxsession=7", "type"));
        assertEquals("active", control.client("l0").state());

        bundle(Provisioning.L2TPV3).uninstall();
        Await.await("l0 to be pending", () -> control.client("l0").state().equals("pending"));
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertTrue("the port is free again at once", again.isBound());
        }
        Provisioning.startDriver(context, control, Provisioning.L2TPV3, "l2tpv3");
        Await.await("l0 to be active again", () -> control.client("l0").state().equals("active"));
    }

    @Test
    public void aDumpFileIsCompleteWhenItsBundleGoes() throws Exception {
        Path file = Files.createTempFile("patchbay-itest", ".pcap");
        try {
            Provisioning.startDriver(context, control, Provisioning.DUMP, "dump");
            String dump = control.add(Section.NET, QemuOptions.parse("dump,vlan=4,file=" + file, "type"));
            bundle(Provisioning.DUMP).uninstall();
            Await.await(dump + " to be pending", () -> control.client(dump).state().equals("pending"));
            byte[] header = Files.readAllBytes(file);
            assertEquals("a classic pcap header, written and closed", 24, header.length);
            assertEquals((byte) 0xd4, header[0]);
            assertEquals((byte) 0xa1, header[3]);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(symbolicName + " is not installed");
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
