package net.backend.l2tpv3;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code qemu-system-x86_64} (always TCG) in one of the two roles of the team's recipes: a
 * disk-less PC PXE-booting from an e1000 (DHCPDISCOVERs from {@value #SOURCE_MAC} about 2.5 s after
 * start), or an ISA PC with an ne2k whose netdev is recorded by {@code filter-dump}. {@link #close()}
 * always ends it.
 */
final class QemuVm implements AutoCloseable {

    static final String SOURCE_MAC = "52:54:00:12:34:56";
    private static final int PCAP_HEADER = 24;

    private final Process process;
    private final Path stderr;

    private QemuVm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
    }

    static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "qemu-system-x86_64"))) {
                return true;
            }
        }
        return false;
    }

    /** @param netdev the VM's netdev options without {@code id} */
    static QemuVm pxeSource(Path dir, String name, String netdev) throws IOException {
        return start(dir, name, List.of("-M", "pc", "-accel", "tcg", "-nodefaults", "-no-user-config",
                "-display", "none", "-m", "64", "-boot", "n", "-netdev", netdev + ",id=n0",
                "-device", "e1000,netdev=n0,mac=" + SOURCE_MAC));
    }

    /** @param netdev the recorder's netdev options without {@code id} */
    static QemuVm recorder(Path dir, String name, String netdev, Path pcap) throws IOException {
        return start(dir, name, List.of("-M", "isapc", "-accel", "tcg", "-nodefaults", "-no-user-config",
                "-display", "none", "-netdev", netdev + ",id=s0", "-device", "ne2k_isa,netdev=s0",
                "-object", "filter-dump,id=f1,netdev=s0,file=" + pcap.toAbsolutePath()));
    }

    private static QemuVm start(Path dir, String name, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("qemu-system-x86_64");
        command.addAll(args);
        Path err = dir.resolve(name + ".stderr");
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        return new QemuVm(p, err);
    }

    /** @return state and stderr, for failure messages */
    String describe() {
        try {
            String state = process.isAlive() ? "running" : "exited " + process.exitValue();
            return state + ", stderr: " + (Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8).strip() : "");
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** SIGTERM, SIGKILL after 3 s; waits for the process to be gone. */
    @Override
    public void close() {
        try {
            process.destroy();
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether QEMU has written the pcap's global header (its netdev is open) */
    static boolean recording(Path pcap) {
        try {
            return Files.size(pcap) >= PCAP_HEADER;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The frames of a classic little-endian pcap file QEMU is writing; a last record still being
     * written is left out.
     */
    static List<byte[]> frames(Path pcap) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(pcap);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<byte[]> frames = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < PCAP_HEADER) {
            return frames;
        }
        if (b.getInt(0) != 0xa1b2c3d4 || b.getInt(20) != 1) {
            throw new IOException(pcap + " is not a little-endian Ethernet pcap file");
        }
        int pos = PCAP_HEADER;
        while (bytes.length - pos >= 16) {
            int stored = b.getInt(pos + 8);
            if (stored < 0 || bytes.length - pos - 16 < stored) {
                break;
            }
            byte[] f = new byte[stored];
            System.arraycopy(bytes, pos + 16, f, 0, stored);
            frames.add(f);
            pos += 16 + stored;
        }
        return frames;
    }

    /** @return whether the frame is a DHCPDISCOVER broadcast from the PXE source */
    static boolean isDhcpDiscover(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        if (f.length < 14 + 20 + 8 + 240 || b.getShort(12) != 0x0800 || f[14 + 9] != 17) {
            return false;
        }
        int udp = 14 + (f[14] & 0x0f) * 4;
        boolean fromSource = java.util.HexFormat.ofDelimiter(":").formatHex(f, 6, 12).equals(SOURCE_MAC);
        // UDP 68 -> 67, BOOTREQUEST, then option 53 (message type) = 1 somewhere in the options
        if (!fromSource || b.getShort(udp) != 68 || b.getShort(udp + 2) != 67 || f[udp + 8] != 1) {
            return false;
        }
        int i = udp + 8 + 240; // past the fixed BOOTP fields and the magic cookie
        while (i + 2 < f.length && f[i] != (byte) 255) {
            if (f[i] == 0) {
                i++;
            } else if (f[i] == 53) {
                return f[i + 2] == 1;
            } else {
                i += 2 + (f[i + 1] & 0xff);
            }
        }
        return false;
    }
}
