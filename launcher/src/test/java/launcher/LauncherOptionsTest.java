package launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import net.control.Section;
import org.junit.jupiter.api.Test;

class LauncherOptionsTest {

    private static String error(String... args) {
        return assertThrows(UsageException.class, () -> LauncherOptions.parse(List.of(args))).getMessage();
    }

    @Test
    void networkOptionsKeepTheirOrderAndValues() throws UsageException {
        LauncherOptions o = LauncherOptions.parse(List.of("-netdev", "socket,id=s1,listen=127.0.0.1:11122",
                "--net", "dump,file=a,,b.pcap", "-object", "filter-dump,id=f0,netdev=s1,file=x.pcap",
                "-device", "responder,netdev=h1"));
        assertEquals(List.of("-netdev socket,id=s1,listen=127.0.0.1:11122", "-net dump,file=a,,b.pcap",
                "-object filter-dump,id=f0,netdev=s1,file=x.pcap", "-device responder,netdev=h1"),
                o.network().stream().map(NetworkOption::toString).toList());
        assertEquals(List.of(Section.NETDEV, Section.NET, Section.OBJECT, Section.DEVICE),
                o.network().stream().map(NetworkOption::section).toList());
        assertEquals(List.of("socket", "dump", "filter-dump", "responder"),
                o.network().stream().map(NetworkOption::type).toList());
    }

    @Test
    void nicIsANetdevAndANicInOneOption() throws UsageException {
        LauncherOptions o = LauncherOptions.parse(List.of("-nic", "socket,listen=127.0.0.1:1,model=responder",
                "--nic", "model=help", "-nic", "none"));
        assertEquals(List.of(Section.NIC, Section.NIC, Section.NIC), o.network().stream().map(NetworkOption::section).toList());
        // QEMU's -nic without a type is a user netdev.
        assertEquals(List.of("socket", "user", "none"), o.network().stream().map(NetworkOption::type).toList());
        assertEquals("responder", o.network().get(0).model());
        assertTrue(TypeHelp.asksForList(o.network().get(1)));
        assertFalse(TypeHelp.asksForList(o.network().get(0)));
        assertFalse(TypeHelp.asksForList(LauncherOptions.parse(List.of("-nic", "help")).network().get(0)),
                "QEMU 7.2's -nic help is an unknown type");
        assertTrue(TypeHelp.asksForList(LauncherOptions.parse(List.of("-net", "nic,model=?")).network().get(0)));
        DriverTypes types = new DriverTypes(java.util.Set.of("socket"), java.util.Set.of(),
                java.util.Set.of("responder", "echo"), Path.of("deploy"));
        assertEquals("Supported NIC models:\necho\nresponder\n", TypeHelp.list(o.network().get(1), types));
        assertEquals("Unsupported NIC model: sink", assertThrows(UsageException.class,
                () -> types.check(LauncherOptions.parse(List.of("-nic", "socket,model=sink")).network())).getMessage());
        assertEquals("-nic model=echo: network backend 'user' is not compiled into this binary",
                assertThrows(UsageException.class,
                        () -> types.check(LauncherOptions.parse(List.of("-nic", "model=echo")).network())).getMessage());
    }

    @Test
    void patchbaysOwnOptions() throws UsageException {
        LauncherOptions defaults = LauncherOptions.parse(List.of());
        assertEquals(Path.of("deploy"), defaults.deploy());
        assertTrue(defaults.console());
        assertFalse(defaults.verbose());

        LauncherOptions o = LauncherOptions.parse(List.of("--deploy", "/srv/d", "--no-console", "--verbose"));
        assertEquals(Path.of("/srv/d"), o.deploy());
        assertFalse(o.console());
        assertTrue(o.verbose());
        assertTrue(LauncherOptions.parse(List.of("--help")).help());
        assertEquals(List.of("unix:" + Path.of(LauncherOptions.DEFAULT_QMP_SOCKET).toAbsolutePath() + ",server=on,wait=off"),
                LauncherOptions.parse(List.of()).qmp(), "QMP on a socket in the working directory by default");
        assertEquals(List.of(), LauncherOptions.parse(List.of("-qmp", "none")).qmp());
        assertEquals(List.of("tcp:127.0.0.1:4444,server=on,wait=off", "unix:/tmp/q.sock"),
                LauncherOptions.parse(List.of("-qmp", "tcp:127.0.0.1:4444,server=on,wait=off", "--qmp", "unix:/tmp/q.sock")).qmp());
        assertTrue(LauncherOptions.parse(List.of("--version")).version());
    }

    @Test
    void badCommandLinesNameTheOption() {
        assertEquals("-qmp stdio: expects tcp:HOST:PORT or unix:PATH (or none)", error("-qmp", "stdio"));
        assertEquals("-qmp: requires an argument", error("-qmp"));
        assertEquals("disk.img: invalid option", error("disk.img"));
        assertEquals("-netdev: requires an argument", error("-netdev"));
        assertEquals("--deploy: requires an argument", error("--deploy"));
        assertEquals("-netdev socket,=1: Invalid parameter ''", error("-netdev", "socket,=1"));
        assertEquals("-netdev id=s0: Parameter 'type' is missing", error("-netdev", "id=s0"));
        assertEquals("-object id=f0: Parameter 'qom-type' is missing", error("-object", "id=f0"));
        assertEquals("-chardev id=c0: chardev: \"c0\" missing backend", error("-chardev", "id=c0"));
        assertEquals("-device netdev=h1: Parameter 'driver' is missing", error("-device", "netdev=h1"));
    }
}
