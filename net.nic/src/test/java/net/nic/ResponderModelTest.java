package net.nic;

import static net.nic.ResponderFrames.HEX;
import static net.nic.ResponderFrames.PEER_MAC;
import static net.nic.ResponderFrames.arp;
import static net.nic.ResponderFrames.echo6;
import static net.nic.ResponderFrames.hex;
import static net.nic.ResponderFrames.icmp6;
import static net.nic.ResponderFrames.icmpEcho;
import static net.nic.ResponderFrames.pseudo;
import static net.nic.ResponderFrames.solicitation;
import static net.nic.ResponderFrames.sum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.api.RxFilterInfo;
import net.control.Section;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.InjectDriver.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code responder} on a hub with an inject netdev as the peer that asks: the replies' bytes as
 * the RFCs lay them out, checksums verified by summing (independently of the model's code), and
 * what it ignores counted.
 */
@Timeout(30)
class ResponderModelTest {

    private final TestRuntime rt = new TestRuntime(1).nicModel("responder", new ResponderModel(new MacTable()));

    @AfterEach
    void close() {
        rt.close();
    }

    /** A responder named {@code id} on hub {@code hub} with {@code options}, and the peer {@code p-ID} there. */
    private Inject plug(int hub, String id, String options) throws Exception {
        rt.netdev("inject,id=p-" + id);
        rt.hub(hub, "p-" + id);
        rt.netdev("hubport,id=port-" + id + ",hubid=" + hub);
        rt.add(Section.DEVICE, "responder,id=" + id + ",netdev=port-" + id + "," + options);
        return rt.inject.get("p-" + id);
    }

    /** Sends one frame and returns the one reply, or fails when none comes. */
    private static byte[] ask(Inject peer, byte[] frame) throws Exception {
        int before = peer.count();
        peer.send(List.of(frame));
        Await.until(() -> peer.count() > before, "a reply");
        return peer.received().get(before);
    }

    @Test
    void nicOptionGivesTheModelItsOwnPropertiesAndTheNetdevTheRest() throws Exception {
        // -nic TYPE,...,model=responder,ip=...: ip is the model's (the netdev has none), tag the netdev's.
        rt.add(Section.NIC, "inject,id=p,tag=plain,model=responder,ip=10.0.0.5,prefix=24,mac=52:54:00:00:00:07");
        Inject peer = rt.inject.get("p");
        byte[] reply = ask(peer, arp(1, "0a000001", "0a000005"));
        assertEquals("525400000007", HEX.formatHex(reply, 6, 12));
        assertEquals("plain", rt.client("p").options().get("tag"));
        assertEquals("Invalid parameter 'colour'",
                rt.error(Section.NIC, "inject,id=q,model=responder,ip=10.0.0.6,colour=red"));
    }

    @Test
    void answersArpForItsAddressAndProbesOfItAndIgnoresTheRest() throws Exception {
        Inject peer = plug(1, "r0", "ip=10.0.0.5,prefix=24");
        byte[] reply = ask(peer, arp(1, "0a000001", "0a000005"));
        assertEquals(HEX.formatHex(hex(PEER_MAC + "525400123456 0806 0001 0800 06 04 0002 525400123456 0a000005"
                + PEER_MAC + "0a000001" + "00".repeat(18))), HEX.formatHex(reply));
        // RFC 5227's probe asks from 0.0.0.0: the answer says the address is taken, to the prober.
        byte[] probe = ask(peer, arp(1, "00000000", "0a000005"));
        assertArrayEquals(Arrays.copyOfRange(reply, 0, 32), Arrays.copyOfRange(probe, 0, 32));
        assertEquals("00000000", HEX.formatHex(probe, 38, 42));

        // A host announcing that it has taken this address: the answer defends it, and it is counted.
        byte[] defended = ask(peer, arp(1, "0a000005", "0a000005"));
        assertEquals("0a000005", HEX.formatHex(defended, 38, 42));
        assertEquals(1, rt.counter("r0", "address-conflicts"));

        peer.send(List.of(arp(1, "0a000001", "0a000006"), arp(2, "0a000001", "0a000005"),
                arp(1, "0a000001", "0a000001"), // another host's gratuitous ARP
                Arrays.copyOf(arp(1, "0a000001", "0a000005"), 30)));
        Await.until(() -> rt.counter("r0", "malformed") == 1, "the runt counted");
        assertEquals(3, rt.counter("r0", "ignored")); // another host's address, a reply, an announcement
        assertEquals(3, rt.counter("r0", "arp-replies"));
        assertEquals(3, peer.count());
    }

    @Test
    void aShortReplyAfterALongOneIsPaddedWithZeros() throws Exception {
        Inject peer = plug(1, "r0", "ip=10.0.0.5");
        byte[] ones = new byte[1000];
        Arrays.fill(ones, (byte) 0xff);
        ask(peer, icmpEcho("525400123456", 0x0a000001, 0x0a000005, ones));
        byte[] reply = ask(peer, arp(1, "0a000001", "0a000005"));
        assertEquals(60, reply.length);
        assertEquals("00".repeat(18), HEX.formatHex(reply, 42, 60), "the reused buffer's old bytes are no padding");
    }

    @Test
    void echoesAnEchoRequestByteForByteWithCorrectChecksums() throws Exception {
        Inject peer = plug(1, "r0", "ip=10.0.0.5,prefix=24");
        byte[] data = new byte[1001]; // odd: the checksum's last word is half a word
        new Random(3).nextBytes(data);
        byte[] request = icmpEcho("525400123456", 0x0a000001, 0x0a000005, data);
        byte[] reply = ask(peer, request);

        assertEquals(14 + 20 + 8 + 1001, reply.length);
        assertEquals(HEX.formatHex(hex(PEER_MAC + "525400123456 0800")), HEX.formatHex(reply, 0, 14));
        ByteBuffer r = ByteBuffer.wrap(reply);
        assertEquals(0x45, reply[14] & 0xff);
        assertEquals(0x10, reply[15] & 0xff, "type of service kept");
        assertEquals(20 + 8 + 1001, r.getShort(16) & 0xffff);
        assertEquals(64, reply[22] & 0xff, "TTL");
        assertEquals(1, reply[23], "ICMP");
        assertEquals(0x0a000005, r.getInt(26));
        assertEquals(0x0a000001, r.getInt(30));
        assertEquals(0xffff, sum(reply, 14, 34, 0), "IPv4 header checksum");
        assertEquals(0, reply[34], "echo reply");
        assertEquals(0, reply[35]);
        assertEquals(0xffff, sum(reply, 34, reply.length, 0), "ICMP checksum");
        // RFC 1624: type 8 -> 0 changes one word by 0x0800, the checksum by as much the other way
        assertEquals(sum(request, 36, 38, 0x0800), sum(reply, 36, 38, 0));
        assertArrayEquals(Arrays.copyOfRange(request, 38, request.length), Arrays.copyOfRange(reply, 38, reply.length),
                "identifier, sequence number, data");
        assertEquals(1, rt.counter("r0", "echo-replies"));
    }

    @Test
    void echoesTheLargestIpv4Packet() throws Exception {
        Inject peer = plug(1, "r0", "ip=10.0.0.5");
        byte[] data = new byte[65535 - 28];
        new Random(5).nextBytes(data);
        byte[] request = icmpEcho("525400123456", 0x0a000001, 0x0a000005, data);
        byte[] reply = ask(peer, request);
        assertEquals(request.length, reply.length);
        assertEquals(0xffff, sum(reply, 34, reply.length, 0));
        assertArrayEquals(Arrays.copyOfRange(request, 38, request.length), Arrays.copyOfRange(reply, 38, reply.length));
    }

    @Test
    void countsWhatItDoesNotAnswerByReason() throws Exception {
        Inject peer = plug(1, "r0", "ip=10.0.0.5,prefix=24");
        byte[] corrupt = icmpEcho("525400123456", 0x0a000001, 0x0a000005, new byte[8]);
        corrupt[40] ^= 1;
        byte[] shortened = icmpEcho("525400123456", 0x0a000001, 0x0a000005, new byte[8]);
        shortened[17] = (byte) 200; // total length beyond the frame
        peer.send(List.of(corrupt, shortened,
                icmpEcho("525400123456", 0x0a000001, 0x0a000009, new byte[8]), // another host's address
                icmpEcho("ffffffffffff", 0x0a000001, 0x0a0000ff, new byte[8]), // broadcast ping
                icmpEcho("525400123456", 0x0a090001, 0x0a000005, new byte[8]), // off-link, no gateway
                icmpEcho("525400999999", 0x0a000001, 0x0a000005, new byte[8]))); // another NIC's
        Await.until(() -> rt.counter("r0", "rx-filtered") == 1, "the other NIC's frame filtered");
        assertEquals(2, rt.counter("r0", "malformed"));
        assertEquals(2, rt.counter("r0", "ignored"));
        assertEquals(1, rt.counter("r0", "no-route"));
        assertEquals(0, peer.count());
    }

    @Test
    void withAGatewayOffLinkSourcesAreAnsweredThroughTheAskingRouter() throws Exception {
        Inject router = plug(1, "r0", "ip=10.0.0.5,prefix=24,gw=10.0.0.1");
        byte[] reply = ask(router, icmpEcho("525400123456", 0x0a090001, 0x0a000005, new byte[8]));
        assertEquals(PEER_MAC, HEX.formatHex(reply, 0, 6));
        assertEquals(0x0a090001, ByteBuffer.wrap(reply).getInt(30));
    }

    // ---- IPv6 ------------------------------------------------------------------------------------

    /** fd00:77::1 and fd00:77::5, the peer and the responder; the responder's link-local address from its MAC. */
    private static final String PEER_IP6 = "fd000077000000000000000000000001";
    private static final String IP6 = "fd000077000000000000000000000005";
    private static final String LINK_LOCAL6 = "fe80000000000000505400fffeabcdef";
    private static final String MAC6 = "525400abcdef";

    private static void assertIcmp6ChecksumValid(byte[] frame) {
        int length = ByteBuffer.wrap(frame).getShort(18) & 0xffff;
        assertEquals(0xffff, sum(frame, 54, 54 + length, pseudo(frame, length)), "ICMPv6 checksum");
    }

    @Test
    void answersNeighborSolicitationsForBothItsAddresses() throws Exception {
        Inject peer = plug(1, "r6", "ip=fd00:77::5,mac=52:54:00:ab:cd:ef");
        byte[] reply = ask(peer, icmp6("3333ffabcdef", PEER_IP6, "ff0200000000000000000001ff000005", 255,
                solicitation(IP6, true)));
        assertIcmp6ChecksumValid(reply);
        String expected = PEER_MAC + MAC6 + "86dd" + "60000000 0020 3a ff" + IP6 + PEER_IP6
                + "88 00 " + HEX.formatHex(reply, 56, 58) + "60000000" + IP6 + "02 01" + MAC6;
        assertEquals(expected.replace(" ", ""), HEX.formatHex(reply));

        byte[] linkLocal = ask(peer, icmp6("3333ffabcdef", PEER_IP6, "ff0200000000000000000001ffabcdef", 255,
                solicitation(LINK_LOCAL6, true)));
        assertIcmp6ChecksumValid(linkLocal);
        assertEquals(LINK_LOCAL6, HEX.formatHex(linkLocal, 22, 38), "from the target");
        assertEquals(LINK_LOCAL6, HEX.formatHex(linkLocal, 62, 78));

        // Another host's duplicate address detection for this address: defended to all nodes, unsolicited.
        byte[] defended = ask(peer, icmp6("3333ff000005", "00".repeat(16), "ff0200000000000000000001ff000005", 255,
                solicitation(IP6, false)));
        assertIcmp6ChecksumValid(defended);
        assertEquals("333300000001" + MAC6, HEX.formatHex(defended, 0, 12));
        assertEquals("ff020000000000000000000000000001", HEX.formatHex(defended, 38, 54));
        assertEquals("20000000", HEX.formatHex(defended, 58, 62), "override, not solicited");
        assertEquals(3, rt.counter("r6", "neighbor-advertisements"));

        peer.send(List.of(
                // the peer's own duplicate address detection: not for the responder
                icmp6("3333ff000001", "00".repeat(16), "ff0200000000000000000001ff000001", 255,
                        solicitation(PEER_IP6, false)),
                // a solicitation a router forwarded is no neighbour's
                icmp6("3333ffabcdef", PEER_IP6, "ff0200000000000000000001ff000005", 64, solicitation(IP6, true))));
        Await.until(() -> rt.counter("r6", "malformed") == 1, "the forwarded solicitation refused");
        assertEquals(0, rt.counter("r6", "ignored"), "the peer's own check filtered: not in the responder's groups");
        assertEquals(1, rt.counter("r6", "rx-filtered"));
        assertEquals(3, peer.count());
    }

    @Test
    void echoesIcmpv6() throws Exception {
        Inject peer = plug(1, "r6", "ip=fd00:77::5,mac=52:54:00:ab:cd:ef");
        byte[] data = new byte[1449];
        new Random(9).nextBytes(data);
        byte[] echo = echo6(data);
        byte[] request = icmp6(MAC6, PEER_IP6, IP6, 64, echo);
        byte[] reply = ask(peer, request);
        assertIcmp6ChecksumValid(reply);
        assertEquals(PEER_MAC + MAC6 + "86dd" + "60000000" + HEX.formatHex(request, 18, 20) + "3a40" + IP6 + PEER_IP6
                + "8100", HEX.formatHex(reply, 0, 56));
        assertArrayEquals(Arrays.copyOfRange(request, 58, request.length), Arrays.copyOfRange(reply, 58, reply.length));

        // to all nodes, from a link-local address: answered from the link-local address
        String peerLinkLocal = "fe800000000000000000000000000001";
        byte[] group = ask(peer, icmp6("333300000001", peerLinkLocal, "ff020000000000000000000000000001", 1, echo));
        assertIcmp6ChecksumValid(group);
        assertEquals(LINK_LOCAL6 + peerLinkLocal, HEX.formatHex(group, 22, 54));

        peer.send(List.of(icmp6(MAC6, "fd010000000000000000000000000001", IP6, 64, echo)));
        Await.until(() -> rt.counter("r6", "no-route") == 1, "the off-link source without a gateway");
        assertEquals(2, rt.counter("r6", "echo-replies"));
    }

    @Test
    void joinsItsGroupsAtOpenAndSaysSoOnce() throws Exception {
        Inject peer = plug(1, "r6", "ip=fd00:77::5,mac=52:54:00:ab:cd:ef");
        Await.until(() -> rt.events("NIC_RX_FILTER_CHANGED").size() == 1, "the event");
        assertEquals(Map.of("name", "r6", "path", "/machine/peripheral/r6"),
                rt.events("NIC_RX_FILTER_CHANGED").get(0).data());
        RxFilterInfo f = rt.runtime.queryRxFilter("r6").get(0);
        // Joined all-nodes, then the two solicited-node groups; virtio-net lists its table last first.
        assertEquals(List.of("33:33:ff:ab:cd:ef", "33:33:ff:00:00:05", "33:33:00:00:00:01"), f.multicastTable());
        ask(peer, icmp6("3333ffabcdef", PEER_IP6, "ff0200000000000000000001ff000005", 255, solicitation(IP6, true)));
        assertEquals(1, rt.events("NIC_RX_FILTER_CHANGED").size(), "traffic changes no filter");

        plug(2, "r4", "ip=10.0.0.5");
        assertEquals(1, rt.events("NIC_RX_FILTER_CHANGED").size(), "an IPv4 responder joins no group");
        assertEquals(List.of(), rt.runtime.queryRxFilter("r4").get(0).multicastTable());
    }

    // ---- options -----------------------------------------------------------------------------------

    @Test
    void refusesOptionsInQemusWords() {
        assertEquals("Parameter 'ip' is missing", rt.error(Section.DEVICE, "responder,id=n0"));
        for (String ip : List.of("x", "10.0.0", "0x0a000001", "10.0.0.256", "localhost", "224.0.0.1", "0.0.0.0",
                "255.255.255.255", "ff02::1", "::", "fe80::1%1")) {
            assertEquals("Property 'responder.ip' doesn't take value '" + ip + "'",
                    rt.error(Section.DEVICE, "responder,id=n0,ip=" + ip));
        }
        assertEquals("Property 'responder.prefix' doesn't take value '33'",
                rt.error(Section.DEVICE, "responder,id=n0,ip=10.0.0.5,prefix=33"));
        assertEquals("Property 'responder.prefix' doesn't take value '129'",
                rt.error(Section.DEVICE, "responder,id=n0,ip=fd00::5,prefix=129"));
        assertEquals("Property 'responder.prefix' doesn't take value '-1'",
                rt.error(Section.DEVICE, "responder,id=n0,ip=fd00::5,prefix=-1"));
        assertEquals("Property 'responder.gw' doesn't take value 'fd00::1'",
                rt.error(Section.DEVICE, "responder,id=n0,ip=10.0.0.5,gw=fd00::1"));
        assertEquals("Property 'responder.gw' doesn't take value '10.0.0.5'",
                rt.error(Section.DEVICE, "responder,id=n0,ip=10.0.0.5,gw=10.0.0.5"));
        assertEquals("Gateway '10.0.1.1' is not on the network of 10.0.0.5/24",
                rt.error(Section.DEVICE, "responder,id=n0,ip=10.0.0.5,gw=10.0.1.1"));
        assertEquals("Property 'responder.mac' doesn't take value '52:54:00'",
                rt.error(Section.DEVICE, "responder,id=n0,ip=10.0.0.5,mac=52:54:00"));
    }

    @Test
    void acceptsALinkLocalGatewayAndAnyPrefixLength() throws Exception {
        rt.add(Section.DEVICE, "responder,id=a,ip=fd00::5,prefix=48,gw=fe80::1");
        rt.add(Section.DEVICE, "responder,id=b,ip=10.0.0.5,prefix=32");
        rt.add(Section.DEVICE, "responder,id=c,ip=10.0.0.5,prefix=0,gw=192.168.1.1");
        assertEquals("model=responder,macaddr=52:54:00:12:34:58", rt.info("c"));
    }
}
