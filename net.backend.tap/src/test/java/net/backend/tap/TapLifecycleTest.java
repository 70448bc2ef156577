package net.backend.tap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.api.NetException;
import net.api.SendResult;
import net.control.Section;
import net.posix.Libc;
import net.qmp.server.QmpServer;
import net.testlib.Await;
import net.testlib.Descriptors;
import net.testlib.Frames;
import net.testlib.Host;
import net.testlib.KernelTest;
import net.testlib.QmpUnixClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Opening, configuring and closing taps on the real kernel; each test's interfaces are removed. */
@Timeout(60)
@KernelTest
class TapLifecycleTest {

    private final Fixture fx = new Fixture();
    private final List<String> links = new ArrayList<>();
    private final List<Integer> fds = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        fx.close();
        fds.forEach(Libc::close);
        links.forEach(l -> Host.quietly("ip", "link", "del", l));
    }

    private String ifname() {
        String name = Host.name("pbt");
        links.add(name);
        return name;
    }

    @Test
    void createsATapWithTheGivenNameAndRemovesItWhenDeleted() throws Exception {
        String name = ifname();
        fx.netdev("tap,id=t0,ifname=" + name + ",script=no,downscript=no");
        assertTrue(Host.exists(name));
        assertEquals("ifname=" + name + ",script=no,downscript=no", fx.info("t0"));
        // QEMU's defaults: IFF_NO_PI, and IFF_VNET_HDR when the kernel has it; the link stays down (the script's job).
        String details = Host.details(name);
        assertTrue(details.contains("tun type tap pi off vnet_hdr on persist off"), details);
        assertFalse(details.contains(",UP"), details);
        fx.runtime.netdevDel("t0");
        assertFalse(Host.exists(name), "a non-persistent tap goes with its last descriptor");
    }

    @Test
    void theKernelNamesATapFromTheTemplateAndTheNameIsWrittenBack() throws Exception {
        fx.netdev("tap,id=t0,script=no,downscript=no,vnet_hdr=off");
        String info = fx.info("t0");
        assertTrue(info.matches("ifname=tap\\d+,script=no,downscript=no"), info);
        String name = info.substring("ifname=".length(), info.indexOf(','));
        links.add(name);
        assertTrue(Host.details(name).contains("pi off vnet_hdr off"));
        fx.runtime.netdevDel("t0");
        assertFalse(Host.exists(name));
    }

    @Test
    void upScriptAndDownScriptRunWithTheInterfaceName() throws Exception {
        String name = ifname();
        Path log = dir.resolve("log");
        Path up = Host.script(dir, "up", "ip link set \"$1\" up && echo \"up $1\" >> " + log);
        Path down = Host.script(dir, "down", "test -e /sys/class/net/$1 && echo \"down $1\" >> " + log);
        fx.netdev("tap,id=t0,ifname=" + name + ",script=" + up + ",downscript=" + down);
        assertEquals(List.of("up " + name), Files.readAllLines(log));
        assertTrue(Host.details(name).contains(",UP"));
        assertEquals("ifname=" + name + ",script=" + up + ",downscript=" + down, fx.info("t0"));
        fx.runtime.netdevDel("t0");
        // The down-script ran while the interface still existed, then it went.
        assertEquals(List.of("up " + name, "down " + name), Files.readAllLines(log));
        assertFalse(Host.exists(name));
    }

    @Test
    void removingTheDriverClosesTheTapAndBringingItBackRecreatesIt() throws Exception {
        String name = ifname();
        Path log = dir.resolve("log");
        Path down = Host.script(dir, "down", "echo \"down $1\" >> " + log);
        TapDriver driver = new TapDriver();
        java.util.Map<String, Object> properties = java.util.Map.of("net.type", "tap");
        fx.runtime.unbindNetClientDriver(fx.tap, properties);
        fx.runtime.bindNetClientDriver(driver, properties);
        fx.netdev("tap,id=t0,ifname=" + name + ",script=no,downscript=" + down);
        fx.runtime.unbindNetClientDriver(driver, properties);
        assertFalse(Host.exists(name), "uninstalling the driver closes every descriptor");
        assertEquals(List.of("down " + name), Files.readAllLines(log));
        fx.runtime.bindNetClientDriver(driver, properties);
        assertTrue(Host.exists(name), "the pending netdev is opened again");
        assertEquals("ifname=" + name + ",script=no,downscript=" + down, fx.info("t0"));
    }

    @Test
    void aSlowDownScriptDoesNotHoldTheOtherNetdevsOnItsLoop() throws Exception {
        String name = ifname();
        Path started = dir.resolve("started");
        Path log = dir.resolve("log");
        Path down = Host.script(dir, "down", "touch " + started + "; sleep 2; test -e /sys/class/net/$1 && echo \"down $1\" >> " + log);
        try (Fixture one = new Fixture(1)) { // one loop: the tap and the hub below share it
            one.netdev("tap,id=t0,ifname=" + name + ",script=no,downscript=" + down);
            one.netdev("inject,id=a");
            one.netdev("inject,id=b");
            one.hub("a", "b");
            CompletableFuture<Void> deleted = CompletableFuture.runAsync(() -> {
                try {
                    one.runtime.netdevDel("t0");
                } catch (NetException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                Await.until(() -> Files.exists(started), "the down-script running");
                one.inject.get("a").send(List.of(Frames.testFrame(1, 60)));
                Await.until(() -> one.inject.get("b").count() == 1, Duration.ofMillis(1000),
                        "a frame across the other hub while the down-script sleeps");
                assertFalse(deleted.isDone(), "netdev_del waits for its down-script");
            } finally {
                deleted.get(10, TimeUnit.SECONDS);
            }
            // QEMU's order kept: the script saw the interface, then the last descriptor went.
            assertEquals(List.of("down " + name), Files.readAllLines(log));
            assertFalse(Host.exists(name));
        }
    }

    @Test
    void aScriptThatExitsOneFailsTheNetdevWithItsWaitStatus() throws Exception {
        String name = ifname();
        Path fail = Host.script(dir, "fail", "exit 1");
        assertEquals("network script " + fail + " failed with status 256",
                fx.error("tap,id=t0,ifname=" + name + ",script=" + fail + ",downscript=no"));
        assertFalse(Host.exists(name), "the tap is closed again");
        assertEquals("network script /nonexistent/ifup failed with status 256",
                fx.error("tap,id=t0,ifname=" + name + ",script=/nonexistent/ifup,downscript=no"));
    }

    @Test
    void aNameInUseIsBusyAndAFailedNetdevLeavesTheFirstAlone() throws Exception {
        String name = ifname();
        fx.netdev("tap,id=t0,ifname=" + name + ",script=no,downscript=no");
        assertEquals("could not configure /dev/net/tun (" + name + "): Device or resource busy",
                fx.error("tap,id=t1,ifname=" + name + ",script=no,downscript=no"));
        assertEquals("could not configure /dev/net/tun (lo): Invalid argument",
                fx.error("tap,id=t1,ifname=lo,script=no,downscript=no"));
        assertTrue(Host.exists(name));
    }

    @Test
    void aNameTooLongIsRefused() {
        assertEquals("could not configure /dev/net/tun (pbt-much-too-long0): Invalid argument",
                fx.error("tap,id=t0,ifname=pbt-much-too-long0,script=no,downscript=no"));
        assertFalse(Host.exists("pbt-much-too-lo"), "no truncated interface either");
    }

    @Test
    void queuesOpensOneDescriptorPerQueueOnOneInterface() throws Exception {
        String name = ifname();
        fx.netdev("tap,id=t0,ifname=" + name + ",script=no,downscript=no,queues=3,sndbuf=1M");
        assertTrue(Host.details(name).contains("multi_queue"), Host.details(name));
        try (var rx = Files.list(Path.of("/sys/class/net", name, "queues"))) {
            assertEquals(3, rx.filter(p -> p.getFileName().toString().startsWith("rx-")).count());
        }
        fx.runtime.netdevDel("t0");
        assertFalse(Host.exists(name));
    }

    /**
     * The interface is deleted under the netdev: its descriptor is reported in error and fails
     * every read and write from then on. The read failure is counted once and the queue is no
     * longer watched (it would be reported ready for ever); frames for it are dropped, not held.
     */
    @Test
    void anInterfaceDeletedUnderTheNetdevIsNoLongerReadAndItsFramesAreDropped() throws Exception {
        String name = ifname();
        fx.netdev("tap,id=t0,ifname=" + name + ",script=no,downscript=no");
        fx.add(Section.DEVICE, "inject,id=nic,netdev=t0");
        Host.sh("ip", "link", "del", name);
        fx.awaitCounter("t0", "recv-error", 1);
        assertEquals(List.of(SendResult.DROPPED, SendResult.DROPPED),
                fx.inject.get("nic").send(Frames.testFrames(0, 2, 60)));
        assertEquals(2, fx.drops("t0", "send-error"));
        assertEquals(0, fx.client("t0").counters().queued());
        assertEquals(1, fx.counter("t0", "recv-error"), "read once, then no longer watched");
    }

    @Test
    void adoptsDescriptorsTheProcessOpened() throws Exception {
        String name = ifname();
        int fd = openTap(name, TunTap.IFF_TAP | TunTap.IFF_NO_PI);
        fx.netdev("tap,id=t0,fd=" + fd);
        assertEquals("fd=" + fd, fx.info("t0"));
        fx.runtime.netdevDel("t0");
        fds.remove(Integer.valueOf(fd)); // the netdev owned and closed it
        assertFalse(Host.exists(name));

        String mq = ifname();
        int q0 = openTap(mq, TunTap.IFF_TAP | TunTap.IFF_NO_PI | TunTap.IFF_MULTI_QUEUE);
        int q1 = openTap(mq, TunTap.IFF_TAP | TunTap.IFF_NO_PI | TunTap.IFF_MULTI_QUEUE);
        fx.netdev("tap,id=t1,fds=" + q0 + ":" + q1);
        fds.clear();
        fx.runtime.netdevDel("t1");
        assertFalse(Host.exists(mq));

        // IFF_VNET_HDR belongs to the interface, so only descriptors of two taps can disagree.
        int plain = openTap(ifname(), TunTap.IFF_TAP | TunTap.IFF_NO_PI);
        int vnet = openTap(ifname(), TunTap.IFF_TAP | TunTap.IFF_NO_PI | TunTap.IFF_VNET_HDR);
        fds.clear(); // a failed netdev closes what it adopted, as QEMU does
        assertEquals("vnet_hdr not consistent across given tap fds", fx.error("tap,id=t2,fds=" + plain + ":" + vnet));
    }

    @Test
    void adoptsTapDescriptorsAQmpClientPassedByName() throws Exception {
        QmpServer server = new QmpServer(fx.runtime, "patchbay-test", () -> { }, System.getLogger("qmp-test"));
        try {
            server.listen("unix:" + dir.resolve("qmp.sock"));
            try (QmpUnixClient qmp = new QmpUnixClient(dir.resolve("qmp.sock"))) {
                String mq = ifname();
                for (String queue : List.of("q0", "q1")) {
                    int fd = openTap(mq, TunTap.IFF_TAP | TunTap.IFF_NO_PI | TunTap.IFF_MULTI_QUEUE);
                    assertTrue(qmp.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"" + queue + "\"}}", fd)
                            .contains("\"return\""));
                    Libc.close(fd); // the client's copy: from now on the tap lives in the monitor only
                    fds.remove(Integer.valueOf(fd));
                }
                String reply = qmp.execute("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"tap\", \"id\": \"t0\","
                        + " \"fds\": \"q0:q1\"}}");
                assertTrue(reply.contains("\"return\""), reply);
                assertTrue(fx.info("t0").startsWith("fd="), fx.info("t0"));
                fx.runtime.netdevDel("t0");
                assertFalse(Host.exists(mq), "the netdev held the only descriptors of the tap, and closed them");
            }
        } finally {
            server.close();
        }
    }

    /** Opens {@code /dev/net/tun} and attaches it as the test's own descriptor. */
    /** A tap descriptor opened as a parent process would, under a number no other test handed over. */
    private int openTap(String name, int flags) throws Exception {
        int fd = Libc.open(TunTap.DEVICE, Libc.O_RDWR);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(40);
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(bytes, 0, ifr, JAVA_BYTE, 0, bytes.length);
            ifr.set(JAVA_SHORT, 16, (short) flags);
            Libc.ioctl(fd, 0x400454CAL, ifr);
        } catch (Exception e) {
            Libc.close(fd);
            throw e;
        }
        int moved = Descriptors.handOver(fd);
        fds.add(moved);
        return moved;
    }
}
