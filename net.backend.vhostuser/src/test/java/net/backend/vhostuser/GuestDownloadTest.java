package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.control.dto.CountersDTO;
import net.testlib.Await;
import net.testlib.Ports;
import net.testlib.Program;
import net.testlib.QemuTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bulk TCP through {@code vhost-user-backend}: a PXE-booting QEMU 7.2 guest (iPXE, TCG) on hub 1
 * with a {@code user} netdev whose DHCP names {@code http://10.0.2.2:PORT/blob} as the boot file
 * downloads 4 MB from a server on the host's loopback, every segment going into the guest's
 * receive ring and every ACK out of its transmit ring. iPXE then fails to run the blob, which is
 * no concern here.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
@QemuTest
class GuestDownloadTest {

    private static final int SIZE = 4 << 20;
    /** Frames for a guest whose NIC is not running yet or any more; a lost segment of the transfer would be more. */
    private static final long NO_GUEST_AROUND_THE_DOWNLOAD = 4;

    @TempDir
    Path dir;

    @Test
    void aGuestDownloadsEveryByteThroughTheBackEnd() throws Exception {
        try (Fixture fx = new Fixture(); BlobServer server = new BlobServer(SIZE)) {
            Path socket = dir.resolve("vhost.sock");
            fx.chardev("socket,id=c1,path=" + socket + ",server=on,wait=off");
            fx.netdev("vhost-user-backend,id=v1,chardev=c1");
            fx.netdev("user,id=u,bootfile=" + server.url());
            fx.hub(1, "v1", "u");
            Await.until(() -> Ports.unixListening(socket), "Patchbay's vhost-user socket listening");

            Program guest = Guest.start(dir, "guest", socket, dir.resolve("qmp.sock"));
            try {
                Await.until(server::requested, Duration.ofSeconds(60), "the guest's HTTP request",
                        guest::describe);
                assertTrue(server.await(60), () -> "the download ends: " + server.describe());
                assertTrue(server.complete(), server::describe);
            } finally {
                guest.close();
            }
            CountersDTO v1 = fx.client("v1").counters();
            assertTrue(v1.rxBytes() > SIZE, () -> "the blob went into the guest's rings: " + v1);
            assertTrue(v1.txFrames() > 0, () -> "the guest's ACKs came out: " + v1);
            // The download is whole (above); the ring never refused anything. Frames that find no
            // guest are the ones slirp sends once iPXE has reset its NIC after the download (its
            // last ACKs) or before iPXE's driver started: a handful at most, never the transfer's.
            v1.drops().forEach((reason, n) -> {
                if (!reason.equals("no-guest")) {
                    assertEquals(0, n, () -> reason + " drops: " + v1);
                }
            });
            assertTrue(v1.drops().get("no-guest") <= NO_GUEST_AROUND_THE_DOWNLOAD, () -> "dropped: " + v1);
        }
    }
}
