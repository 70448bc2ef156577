package net.backend.vhostuser;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.testlib.Installed;
import net.testlib.Program;
import net.testlib.Qemu;

/**
 * A QEMU 7.2 guest whose virtio-net NIC is a vhost-user front end: memory in a shared memfd (the
 * back end maps it), iPXE from the NIC's boot ROM PXE-booting under TCG, a QMP monitor on a unix
 * socket for {@code system_reset}.
 */
final class Guest {

    static final String MAC = "52:54:00:aa:bb:01";
    /** The boot ROM QEMU 7.2's pc machine loads for virtio-net-pci. */
    static final String ROM = "/usr/lib/ipxe/qemu/efi-virtio.rom";

    private Guest() {
    }

    /**
     * @param socket the vhost-user socket the guest's QEMU connects to (Patchbay listens there)
     * @param qmp    where QEMU's monitor listens
     */
    static Program start(Path dir, String name, Path socket, Path qmp) throws IOException {
        return start(dir, name, socket, qmp, 1);
    }

    /** @param queues queue pairs of the guest's NIC (multiqueue virtio-net when more than 1) */
    static Program start(Path dir, String name, Path socket, Path qmp, int queues) throws IOException {
        return start(dir, name, "socket,id=c0,path=" + socket, qmp, queues, "");
    }

    /** @param device more virtio-net-pci properties, e.g. {@code ,mrg_rxbuf=off} */
    static Program start(Path dir, String name, Path socket, Path qmp, String device) throws IOException {
        return start(dir, name, "socket,id=c0,path=" + socket, qmp, 1, device);
    }

    /**
     * A guest that listens on the vhost-user socket: QEMU waits for the back end to connect
     * before it starts the machine.
     */
    static Program serving(Path dir, String name, Path socket, Path qmp) throws IOException {
        return start(dir, name, "socket,id=c0,path=" + socket + ",server=on", qmp, 1, "");
    }

    private static Program start(Path dir, String name, String chardev, Path qmp, int queues, String device)
            throws IOException {
        return start(dir, name, List.of("-chardev", chardev, "-netdev", "vhost-user,id=n0,chardev=c0,queues=" + queues),
                qmp, (queues > 1 ? ",mq=on,vectors=" + (2 * queues + 2) : "") + device);
    }

    /**
     * The same machine with one of QEMU's own netdevs behind its NIC instead of vhost-user, as the
     * yardstick for the guest on {@code vhost-user-backend}.
     *
     * @param netdev QEMU's {@code -netdev} options with {@code id=n0}, e.g. {@code socket,id=n0,connect=H:P}
     */
    static Program on(Path dir, String name, String netdev, Path qmp) throws IOException {
        return start(dir, name, List.of("-netdev", netdev), qmp, "");
    }

    private static Program start(Path dir, String name, List<String> backend, Path qmp, String device)
            throws IOException {
        Installed.require(Qemu.BINARY);
        Installed.require(ROM);
        List<String> args = new ArrayList<>(List.of("-M", "pc", "-accel", "tcg", "-nodefaults", "-no-user-config",
                "-display", "none", "-m", "64", "-boot", "n",
                "-object", "memory-backend-memfd,id=mem,size=64M,share=on", "-numa", "node,memdev=mem"));
        args.addAll(backend);
        args.addAll(List.of("-device", "virtio-net-pci,netdev=n0,mac=" + MAC + device,
                "-qmp", "unix:" + qmp + ",server=on,wait=off"));
        return Qemu.start(dir, name, args);
    }

    /** @return the DHCP message type (option 53) of a DHCP client frame from the guest, or 0 */
    static int dhcpType(byte[] f) {
        if (f.length < 282 || f[12] != 0x08 || f[13] != 0x00 || f[23] != 17) {
            return 0;
        }
        for (int i = 0; i < 6; i++) {
            if (f[6 + i] != (byte) Integer.parseInt(MAC.substring(3 * i, 3 * i + 2), 16)) {
                return 0;
            }
        }
        int ip = 14 + (f[14] & 0x0f) * 4;
        if (((f[ip + 2] & 0xff) << 8 | f[ip + 3] & 0xff) != 67) {
            return 0;
        }
        int at = ip + 8 + 240; // BOOTP's fixed part and the magic cookie
        while (at + 1 < f.length && f[at] != (byte) 0xff) {
            int code = f[at] & 0xff;
            if (code == 0) {
                at++;
                continue;
            }
            int len = f[at + 1] & 0xff;
            if (code == 53 && at + 2 < f.length) {
                return f[at + 2];
            }
            at += 2 + len;
        }
        return 0;
    }
}
