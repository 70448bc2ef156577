package net.backend.user;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * QEMU's {@code NetdevUserOptions} ({@code -netdev user,...}), members in the schema's order, plus
 * the command line's {@code ipv6-net=PREFIX[/LEN]}, which QEMU turns into {@code ipv6-prefix} and
 * {@code ipv6-prefixlen} before it reads them.
 *
 * @param hostname       the client hostname DHCP reports
 * @param restrict       isolate the guest: only forwarded ports reach it, nothing leaves
 * @param ipv4           IPv4 on (default unless only {@code ipv6=on} is given)
 * @param ipv6           IPv6 on (default unless only {@code ipv4=on} is given)
 * @param ip             legacy: the guest-visible network as {@code ip/24}
 * @param net            the guest-visible network, {@code ADDR[/BITS|/MASK]}; default 10.0.2.0/24
 * @param host           the host's address in it; default x.x.2.2
 * @param tftp           the directory the built-in TFTP server exports
 * @param bootfile       the BOOTP file name DHCP offers
 * @param dhcpstart      the first address DHCP hands out; default x.x.2.15
 * @param dns            the DNS forwarder's address; default x.x.2.3
 * @param dnssearch      DNS search domains DHCP offers
 * @param domainname     the domain name DHCP offers
 * @param ipv6Prefix     the IPv6 prefix; default fec0::
 * @param ipv6Prefixlen  its length; default 64
 * @param ipv6Host       the host's IPv6 address; default PREFIX::2
 * @param ipv6Dns        the IPv6 DNS forwarder; default PREFIX::3
 * @param smb            a directory for Samba (refused as QEMU refuses it without smbd)
 * @param smbserver      the Samba server's address
 * @param hostfwd        {@code [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport} rules
 * @param guestfwd       {@code [tcp]:[server]:port-TARGET} rules
 * @param tftpServerName the TFTP server name DHCP offers (option 66)
 * @param ipv6Net        command line only: {@code PREFIX[/LEN]}
 */
public record UserOptions(String hostname, Boolean restrict, Boolean ipv4, Boolean ipv6, String ip, String net,
        String host, String tftp, String bootfile, String dhcpstart, String dns, List<QemuString> dnssearch,
        String domainname, @JsonProperty("ipv6-prefix") String ipv6Prefix,
        @JsonProperty("ipv6-prefixlen") Long ipv6Prefixlen, @JsonProperty("ipv6-host") String ipv6Host,
        @JsonProperty("ipv6-dns") String ipv6Dns, String smb, String smbserver, List<QemuString> hostfwd,
        List<QemuString> guestfwd, @JsonProperty("tftp-server-name") String tftpServerName,
        @JsonProperty("ipv6-net") String ipv6Net) {
}
