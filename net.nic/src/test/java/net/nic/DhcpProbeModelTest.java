package net.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import net.control.Section;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.InjectDriver.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A {@code dhcp-probe} plugged into the test's netdev: what it sends, what it counts, its options. */
@Timeout(30)
class DhcpProbeModelTest {

    private static final String MAC = "52:54:00:aa:bb:cc";
    private static final int IP = 14;
    private static final int UDP = 34;
    private static final int BOOTP = 42;

    @Test
    void broadcastsPxeDiscoversEveryIntervalAndCountsTheOffersForIt() throws Exception {
        try (TestRuntime rt = new TestRuntime(1).nicModel("dhcp-probe", new DhcpProbeModel(new MacTable()))) {
            rt.netdev("inject,id=src");
            rt.add(Section.DEVICE, "dhcp-probe,id=p0,netdev=src,interval=1,mac=" + MAC);
            Inject src = rt.inject.get("src");
            Await.until(() -> src.count() >= 2, Duration.ofSeconds(10), "two DHCPDISCOVERs a second apart");
            rt.awaitCounter("p0", "discovers-sent", 2);
            byte[] first = src.received().get(0);
            byte[] second = src.received().get(1);
            for (byte[] f : List.of(first, second)) {
                assertTrue(Frames.isDhcpDiscover(f), Frames.describe(f));
                assertArrayEquals(Frames.mac("ff:ff:ff:ff:ff:ff"), Arrays.copyOfRange(f, 0, 6), "to broadcast");
                assertTrue(Frames.from(f, MAC), "from its MAC");
                assertArrayEquals(Frames.mac(MAC), Arrays.copyOfRange(f, BOOTP + 28, BOOTP + 34), "its MAC as chaddr");
                ByteBuffer b = ByteBuffer.wrap(f);
                assertEquals(0x8000, Short.toUnsignedInt(b.getShort(BOOTP + 10)), "the broadcast flag, as PXE sets it");
                assertEquals(0, checksum(f, IP, 20, 0), "IPv4 header checksum");
                int udpLength = Short.toUnsignedInt(b.getShort(UDP + 4));
                assertEquals(f.length - UDP, udpLength);
                // Pseudo-header: 0.0.0.0 → 255.255.255.255, protocol 17, UDP length.
                assertEquals(0, checksum(f, UDP, udpLength, 0xffff + 0xffff + 17 + udpLength), "UDP checksum");
                assertEquals(DhcpProbe.VENDOR_CLASS, new String(option(f, 60), StandardCharsets.US_ASCII));
                assertEquals(1472, ByteBuffer.wrap(option(f, 57)).getShort());
                assertTrue(option(f, 55).length > 0, "a parameter request list");
                assertTrue(f.length >= 14 + 20 + 8 + 300, "a BOOTP message of at least 300 bytes");
            }
            int xid = ByteBuffer.wrap(first).getInt(BOOTP + 4);
            assertEquals(xid, ByteBuffer.wrap(second).getInt(BOOTP + 4), "one xid for the run, as firmware retries");

            // Offers for another transaction or another client are not this probe's.
            src.send(List.of(offer(xid + 1, MAC, true), offer(xid, "52:54:00:aa:bb:cd", true), offer(xid, MAC, true),
                    offer(xid, MAC, false)));
            Await.until(() -> rt.counter("p0", "offers-seen") == 2, "the two offers for it");
            assertEquals(0, rt.counter("p0", "rx-filtered"), "broadcast and its own address pass");
            assertEquals("model=dhcp-probe,macaddr=" + MAC, rt.info("p0"));
        }
    }

    @Test
    void stopsProbingWhenUnplugged() throws Exception {
        try (TestRuntime rt = new TestRuntime(1).nicModel("dhcp-probe", new DhcpProbeModel(new MacTable()))) {
            rt.netdev("inject,id=src");
            rt.add(Section.DEVICE, "dhcp-probe,id=p0,netdev=src,interval=1");
            Inject src = rt.inject.get("src");
            Await.until(() -> src.count() >= 1, "the first DHCPDISCOVER, at once");
            assertTrue(Frames.from(src.received().get(0), "52:54:00:12:34:56"), "QEMU's first default MAC");
            rt.runtime.deviceDel("p0");
            int sent = src.count();
            Thread.sleep(1500); // the point: a running timer would have sent another by now
            assertEquals(sent, src.count());
        }
    }

    @Test
    void refusesIntervalsAsQemuRefusesIntegerDeviceProperties() throws Exception {
        try (TestRuntime rt = new TestRuntime(1).nicModel("dhcp-probe", new DhcpProbeModel(new MacTable()))) {
            rt.netdev("inject,id=src");
            String device = "dhcp-probe,id=p0,netdev=src,interval=";
            assertEquals("Parameter 'interval' expects integer", rt.error(Section.DEVICE, device + "abc"));
            assertEquals("Parameter 'interval' expects integer", rt.error(Section.DEVICE, device + "1.5"));
            assertEquals("Parameter 'interval' expects integer", rt.error(Section.DEVICE, device + "08"));
            assertEquals("Parameter 'interval' expects int32_t", rt.error(Section.DEVICE, device + "4294967296"));
            assertEquals("Property 'dhcp-probe.interval' doesn't take value '0'", rt.error(Section.DEVICE, device + "0"));
            assertEquals("Property 'dhcp-probe.interval' doesn't take value '-1'", rt.error(Section.DEVICE, device + "-1"));
            assertEquals("Property 'dhcp-probe.mac' doesn't take value 'zz'",
                    rt.error(Section.DEVICE, "dhcp-probe,id=p0,netdev=src,mac=zz"));
            // Numbers as C reads them: hex and octal are taken.
            assertEquals("p0", rt.add(Section.DEVICE, device + "0x10"));
            rt.netdev("inject,id=src1");
            assertEquals("p1", rt.add(Section.DEVICE, "dhcp-probe,id=p1,netdev=src1,interval=010"));
        }
    }

    /** @return the one's complement sum over {@code length} bytes from {@code at}, plus {@code seed}, complemented: 0 when valid */
    private static int checksum(byte[] f, int at, int length, long seed) {
        long sum = seed;
        for (int i = 0; i < length; i += 2) {
            sum += (f[at + i] & 0xff) << 8 | (i + 1 < length ? f[at + i + 1] & 0xff : 0);
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** @return the value of a DHCP option of the frame; fails when it has none */
    private static byte[] option(byte[] f, int code) {
        int at = BOOTP + 240;
        while (at < f.length && (f[at] & 0xff) != 255) {
            if (f[at] == 0) {
                at++;
                continue;
            }
            int length = f[at + 1] & 0xff;
            if ((f[at] & 0xff) == code) {
                return Arrays.copyOfRange(f, at + 2, at + 2 + length);
            }
            at += 2 + length;
        }
        throw new AssertionError("no option " + code + " in " + Frames.describe(f));
    }

    /**
     * A server's DHCPOFFER of 10.0.2.15 from 10.0.2.2, to broadcast or to the client's address.
     */
    static byte[] offer(int xid, String chaddr, boolean broadcast) {
        ByteBuffer f = ByteBuffer.allocate(BOOTP + 300);
        f.put(Frames.mac(broadcast ? "ff:ff:ff:ff:ff:ff" : chaddr)).put(Frames.mac("52:55:0a:00:02:02"))
                .putShort((short) 0x0800);
        f.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + 300)).putInt(0).put((byte) 64).put((byte) 17)
                .putShort((short) 0).putInt(0x0a000202).putInt(broadcast ? -1 : 0x0a00020f);
        f.putShort((short) 67).putShort((short) 68).putShort((short) (8 + 300)).putShort((short) 0);
        f.put((byte) 2).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid).putInt(0x8000)
                .putInt(0).putInt(0x0a00020f).putInt(0x0a000202).putInt(0).put(Frames.mac(chaddr));
        f.position(BOOTP + 236);
        f.putInt(0x63825363).put(new byte[] {53, 1, 2, 54, 4, 10, 0, 2, 2, 51, 4, 0, 1, 0x51, (byte) 0x80, (byte) 255});
        return f.array();
    }
}
