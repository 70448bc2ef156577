package net.testlib;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for a test, and whether a listener is there yet. The listening checks read the
 * kernel's tables instead of connecting: QEMU serves one client, so a probing connection would
 * become its client.
 */
public final class Ports {

    private Ports() {
    }

    /** @return a TCP port on 127.0.0.1 that was free a moment ago */
    public static int freeTcpPort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A TCP port for a listener that a test connects to before it listens. Such a port must lie
     * below the kernel's ephemeral range: a client retrying a port in that range can be given the
     * same port as its own source and connect to itself, and then the listener cannot bind.
     *
     * @return a TCP port on 127.0.0.1 below {@code ip_local_port_range} that was free a moment ago
     */
    public static int freeTcpPortBelowEphemeral() {
        int low = ephemeralLow();
        int first = 1024 + ThreadLocalRandom.current().nextInt(low - 1024);
        for (int i = 0; i < low - 1024; i++) {
            int port = 1024 + (first - 1024 + i) % (low - 1024);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException taken) {
                // try the next one
            }
        }
        throw new IllegalStateException("no free TCP port below " + low);
    }

    private static int ephemeralLow() {
        try {
            // By lines: Files.readString reads /proc's files short.
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).getFirst()
                    .trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768; // Linux's default
        }
    }

    /**
     * Several listening ports for one process, all different (one at a time, a port just closed
     * may be handed out again) and below the ephemeral range, where no other test's outgoing
     * connection takes one meanwhile.
     *
     * @param count how many
     * @return distinct free ports
     */
    public static int[] freeTcpPortsBelowEphemeral(int count) {
        Set<Integer> ports = new LinkedHashSet<>();
        while (ports.size() < count) {
            ports.add(freeTcpPortBelowEphemeral());
        }
        return ports.stream().mapToInt(Integer::intValue).toArray();
    }

    /** @return a UDP port on 127.0.0.1 that was free a moment ago */
    public static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return whether some process listens on this IPv4 TCP port ({@code /proc/net/tcp}, state 0A) */
    public static boolean tcpListening(int port) {
        String localPort = String.format(":%04X", port);
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(localPort) && f[3].equals("0A")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return whether a unix stream socket listens at the path ({@code /proc/net/unix}, flag __SO_ACCEPTCON) */
    public static boolean unixListening(Path path) {
        String wanted = path.toAbsolutePath().toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 8 && f[7].equals(wanted) && (Long.parseLong(f[3], 16) & 0x10000) != 0) {
                    return true;
                }
            }
            return false;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
