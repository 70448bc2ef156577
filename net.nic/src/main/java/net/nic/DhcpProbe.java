package net.nic;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import net.api.Delivery;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.NetEventLoop;
import net.api.SendResult;

/**
 * One {@code dhcp-probe} NIC: broadcasts a DHCPDISCOVER as a PXE client's firmware does (its MAC
 * as the source and as {@code chaddr}, the broadcast flag set, one random {@code xid} for as long
 * as it runs, {@code secs} counting from its start, options 53, 57, 55 and a {@code PXEClient}
 * vendor class), at once and then every interval on its loop's timer; counts
 * {@code discovers-sent} and the {@code offers-seen} that answer it (a DHCPOFFER with its xid and
 * chaddr). The frame is built once; a probe only rewrites {@code secs} and the UDP checksum.
 */
final class DhcpProbe extends NicClient {

    private static final int ETHERNET = 0;
    private static final int IP = 14;
    private static final int UDP = IP + 20;
    private static final int BOOTP = UDP + 8;
    private static final int OPTIONS = BOOTP + 240;
    private static final int BOOTP_MINIMUM = 300; // a BOOTP message is never shorter (RFC 951)
    private static final int MAGIC_COOKIE = 0x63825363;
    private static final int CLIENT_PORT = 68;
    private static final int SERVER_PORT = 67;
    private static final byte DHCPDISCOVER = 1;
    private static final byte DHCPOFFER = 2;
    private static final int OPTION_PAD = 0;
    private static final int OPTION_MESSAGE_TYPE = 53;
    private static final int OPTION_END = 255;
    /** What PXE firmware asks for: the usual IP settings, the TFTP server and file, PXE's own options. */
    private static final byte[] PARAMETERS = {1, 3, 6, 12, 15, 17, 26, 28, 43, 60, 66, 67, (byte) 128,
        (byte) 129, (byte) 130, (byte) 131, (byte) 132, (byte) 133, (byte) 134, (byte) 135};
    /** A BIOS (architecture 0) PXE 2.1 client's vendor class. */
    static final String VENDOR_CLASS = "PXEClient:Arch:00000:UNDI:002001";
    private static final int MAX_MESSAGE_SIZE = 1472; // what fits an Ethernet MTU after IP and UDP

    private final ByteBuffer discover;
    private final int xid = ThreadLocalRandom.current().nextInt();
    private final long interval;
    private final long started = System.nanoTime();
    private final NetCounter discoversSent;
    private final NetCounter offersSeen;
    private final Runnable probe = this::probe;
    private NetEventLoop.Cancellable timer;

    /**
     * @param interval seconds between probes
     */
    DhcpProbe(MacAddress mac, long interval, MacTable macs, NetClientContext context) {
        super(DhcpProbeModel.MODEL, mac, macs, context);
        this.interval = interval;
        this.discoversSent = context.counter("discovers-sent");
        this.offersSeen = context.counter("offers-seen");
        this.discover = build(filter.mac(), xid);
        // The first goes out once the NIC is plugged in (after open returned), as firmware starts at once.
        this.timer = context.loop().schedule(probe, 0, TimeUnit.SECONDS);
    }

    private void probe() {
        long secs = Math.min(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), 0xffff);
        discover.putShort(BOOTP + 8, (short) secs);
        discover.putShort(UDP + 6, (short) 0);
        discover.putShort(UDP + 6, udpChecksum(discover));
        if (context.send(discover.clear()) != SendResult.DROPPED) {
            discoversSent.increment();
        }
        timer = context.loop().schedule(probe, interval, TimeUnit.SECONDS);
    }

    @Override
    protected Delivery deliver(ByteBuffer frame) {
        if (isOffer(frame, frame.position(), frame.limit())) {
            offersSeen.increment();
        }
        return Delivery.DELIVERED;
    }

    @Override
    protected void stop() {
        timer.cancel();
    }

    /** @return whether the frame is a DHCPOFFER (IPv4, UDP to port 68) for this run's xid and address */
    private boolean isOffer(ByteBuffer f, int at, int end) {
        if (end - at < BOOTP + 240 || Short.toUnsignedInt(f.getShort(at + 12)) != 0x0800) {
            return false;
        }
        int ip = at + IP;
        int ihl = (f.get(ip) & 0x0f) * 4;
        if ((f.get(ip) & 0xf0) != 0x40 || ihl < 20 || f.get(ip + 9) != 17) {
            return false;
        }
        int udp = ip + ihl;
        int bootp = udp + 8;
        if (end - bootp < 240 + 3 || Short.toUnsignedInt(f.getShort(udp + 2)) != CLIENT_PORT
                || f.get(bootp) != 2 || f.getInt(bootp + 4) != xid
                || MacAddress.read(f, bootp + 28) != filter.mac().bits() || f.getInt(bootp + 236) != MAGIC_COOKIE) {
            return false;
        }
        int option = bootp + 240;
        while (option < end) {
            int code = f.get(option) & 0xff;
            if (code == OPTION_END) {
                return false;
            }
            if (code == OPTION_PAD) {
                option++;
                continue;
            }
            if (option + 2 >= end) {
                return false;
            }
            int length = f.get(option + 1) & 0xff;
            if (code == OPTION_MESSAGE_TYPE) {
                return length == 1 && f.get(option + 2) == DHCPOFFER;
            }
            option += 2 + length;
        }
        return false;
    }

    /** The DHCPDISCOVER of this run, with {@code secs} 0 and no UDP checksum yet. */
    static ByteBuffer build(MacAddress mac, int xid) {
        byte[] vendor = VENDOR_CLASS.getBytes(StandardCharsets.US_ASCII);
        int options = 3 + 4 + 2 + PARAMETERS.length + 2 + vendor.length + 1;
        int bootpLength = Math.max(BOOTP_MINIMUM, 240 + options);
        ByteBuffer f = ByteBuffer.allocate(BOOTP + bootpLength);
        MacAddress.BROADCAST.put(f.position(ETHERNET));
        mac.put(f);
        f.putShort((short) 0x0800);
        // IPv4 from 0.0.0.0 to 255.255.255.255: the client has no address yet.
        f.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + bootpLength)).putShort((short) 0)
                .putShort((short) 0).put((byte) 64).put((byte) 17).putShort((short) 0).putInt(0).putInt(-1);
        f.putShort(IP + 10, InternetChecksum.fold(InternetChecksum.sum(f, IP, 20)));
        f.position(UDP);
        f.putShort((short) CLIENT_PORT).putShort((short) SERVER_PORT).putShort((short) (8 + bootpLength))
                .putShort((short) 0);
        // BOOTREQUEST, Ethernet, 6-byte addresses, no hops; the broadcast flag: no unicast reply
        // can reach a client without an address (PXE firmware sets it).
        f.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid).putShort((short) 0)
                .putShort((short) 0x8000);
        f.position(BOOTP + 28);
        mac.put(f);
        f.position(BOOTP + 236);
        f.putInt(MAGIC_COOKIE);
        f.put((byte) OPTION_MESSAGE_TYPE).put((byte) 1).put(DHCPDISCOVER);
        f.put((byte) 57).put((byte) 2).putShort((short) MAX_MESSAGE_SIZE);
        f.put((byte) 55).put((byte) PARAMETERS.length).put(PARAMETERS);
        f.put((byte) 60).put((byte) vendor.length).put(vendor);
        f.put((byte) OPTION_END);
        return f.clear();
    }

    /** The UDP checksum over the IPv4 pseudo-header, the header (checksum field zero) and the data. */
    private static short udpChecksum(ByteBuffer f) {
        int length = f.capacity() - UDP;
        long sum = 17 + length + InternetChecksum.sum(f, IP + 12, 8) + InternetChecksum.sum(f, UDP, length);
        short checksum = InternetChecksum.fold(sum);
        return checksum == 0 ? (short) 0xffff : checksum; // 0 would mean "no checksum"
    }
}
