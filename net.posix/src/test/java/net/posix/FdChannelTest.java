package net.posix;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FdChannelTest {

    @TempDir
    Path dir;

    @Test
    void unixDatagramsKeepTheirBoundariesAndEmptyMeansNothingWaiting() throws IOException {
        UnixDomainSocketAddress pathA = UnixDomainSocketAddress.of(dir.resolve("a.sock"));
        UnixDomainSocketAddress pathB = UnixDomainSocketAddress.of(dir.resolve("b.sock"));
        try (FdChannel a = FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0);
                FdChannel b = FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0)) {
            a.bind(pathA);
            b.bind(pathB);
            assertEquals(pathB, b.localAddress());
            assertEquals(-1, b.receive(ByteBuffer.allocate(64)), "nothing sent yet");

            assertEquals(5, a.send(ByteBuffer.wrap("first".getBytes(StandardCharsets.US_ASCII)), pathB));
            ByteBuffer direct = ByteBuffer.allocateDirect(3);
            direct.put((byte) 1).put((byte) 2).put((byte) 3).flip();
            assertEquals(3, a.send(direct, pathB));
            assertEquals(0, direct.remaining(), "send advances the buffer");
            a.send(ByteBuffer.allocate(0), pathB);

            ByteBuffer heap = ByteBuffer.allocate(64);
            assertEquals(5, b.receive(heap));
            assertEquals("first", new String(heap.array(), 0, heap.position(), StandardCharsets.US_ASCII));
            ByteBuffer into = ByteBuffer.allocateDirect(64);
            assertEquals(3, b.receive(into));
            into.flip();
            byte[] got = new byte[3];
            into.get(got);
            assertArrayEquals(new byte[] {1, 2, 3}, got);
            assertEquals(0, b.receive(ByteBuffer.allocate(64)), "an empty datagram is a datagram");
            assertEquals(-1, b.receive(ByteBuffer.allocate(64)));

            a.connect(pathB);
            assertEquals(pathB, a.remoteAddress());
            assertEquals(2, a.send(ByteBuffer.wrap(new byte[] {9, 9}), null));
            assertEquals(2, b.receive(ByteBuffer.allocate(64)));
        }
    }

    @Test
    void sendingToAPathNobodyListensOnFailsWithTheSystemsWords() throws IOException {
        try (FdChannel a = FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0)) {
            PosixException e = assertThrows(PosixException.class, () -> a.send(ByteBuffer.allocate(4),
                    UnixDomainSocketAddress.of(dir.resolve("nobody.sock"))));
            assertEquals(Libc.ENOENT, e.errno());
            assertEquals("No such file or directory", e.getMessage());
        }
    }

    @Test
    void anAdoptedStreamSocketReadsWritesAndSeesTheEnd() throws IOException {
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_STREAM);
        try (FdChannel left = FdChannel.adopt(pair[0]); FdChannel right = FdChannel.adopt(pair[1])) {
            assertEquals(0, left.read(ByteBuffer.allocate(8)), "non-blocking: nothing there yet");
            assertEquals(Libc.SOCK_STREAM, left.intOption(Libc.SOL_SOCKET, Libc.SO_TYPE));
            assertEquals(Libc.AF_UNIX, left.intOption(Libc.SOL_SOCKET, Libc.SO_DOMAIN));
            assertEquals(4, right.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})));
            ByteBuffer in = ByteBuffer.allocate(8);
            assertEquals(4, left.read(in));
            assertEquals(4, in.position());
            right.close();
            assertEquals(-1, left.read(ByteBuffer.allocate(8)));
            assertThrows(ClosedChannelException.class, () -> right.write(ByteBuffer.allocate(1)));
        }
    }

    @Test
    void aListeningSocketAcceptsNonBlockingAndFunctionBindsWhatLibcLacks() throws Throwable {
        MethodHandle listen = Libc.function("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        try (FdChannel server = FdChannel.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0)) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            PosixException notListening = assertThrows(PosixException.class, server::accept);
            assertEquals(Libc.EINVAL, notListening.errno());

            assertEquals(0, (int) listen.invokeExact(Libc.callState(), server.fd(), 1));
            assertEquals(null, server.accept(), "nothing waiting");
            try (SocketChannel client = SocketChannel.open(server.localAddress())) {
                FdChannel accepted = null;
                for (int i = 0; i < 100 && accepted == null; i++) {
                    accepted = server.accept();
                    if (accepted == null) {
                        Thread.sleep(10);
                    }
                }
                try (FdChannel connection = accepted) {
                    assertEquals(client.getLocalAddress(), connection.remoteAddress());
                    client.write(ByteBuffer.wrap(new byte[] {5, 6}));
                    ByteBuffer in = ByteBuffer.allocate(4);
                    for (int i = 0; i < 100 && in.position() < 2; i++) {
                        if (connection.read(in) == 0) {
                            Thread.sleep(10);
                        }
                    }
                    assertEquals(2, in.position());
                }
            }
        }
    }

    @Test
    void aGatheringWriteSendsItsPiecesAsOneDatagram() throws IOException {
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_DGRAM);
        try (FdChannel left = FdChannel.adopt(pair[0]); FdChannel right = FdChannel.adopt(pair[1])) {
            ByteBuffer header = ByteBuffer.allocateDirect(4).put(new byte[] {1, 2, 3, 4}).flip();
            ByteBuffer heap = ByteBuffer.wrap(new byte[] {5, 6, 7});
            ByteBuffer tail = ByteBuffer.allocateDirect(2).put(new byte[] {8, 9}).flip();
            assertEquals(9, left.write(new ByteBuffer[] {header, heap, tail}));
            assertEquals(0, header.remaining() + heap.remaining() + tail.remaining(), "every piece advanced");
            ByteBuffer in = ByteBuffer.allocate(16);
            assertEquals(9, right.receive(in));
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, Arrays.copyOf(in.array(), in.position()));
            assertThrows(IllegalArgumentException.class, () -> left.write(new ByteBuffer[FdChannel.MAX_GATHER + 1]));
        }
    }

    @Test
    void inetAddressesRoundTripThroughTheKernel() throws IOException {
        try (FdChannel v4 = FdChannel.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0);
                FdChannel v6 = FdChannel.socket(Libc.AF_INET6, Libc.SOCK_DGRAM, 0)) {
            v4.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            v6.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            InetSocketAddress a4 = assertInstanceOf(InetSocketAddress.class, v4.localAddress());
            InetSocketAddress a6 = assertInstanceOf(InetSocketAddress.class, v6.localAddress());
            assertEquals(InetAddress.getLoopbackAddress(), a4.getAddress());
            assertEquals(InetAddress.getByName("::1"), a6.getAddress());
            assertNotEquals(0, a4.getPort());
            v4.send(ByteBuffer.wrap(new byte[] {7}), a4);
            assertEquals(1, v4.receive(ByteBuffer.allocate(4)), "a datagram to itself over 127.0.0.1");
        }
    }

    @Test
    void errorsCarryTheErrnoAndItsText() throws IOException {
        PosixException missing = assertThrows(PosixException.class,
                () -> FdChannel.open(dir.resolve("missing").toString(), Libc.O_RDWR));
        assertEquals(Libc.ENOENT, missing.errno());
        assertEquals("No such file or directory", missing.getMessage());

        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_STREAM);
        Libc.close(pair[0]);
        Libc.close(pair[1]);
        PosixException closed = assertThrows(PosixException.class, () -> FdChannel.adopt(pair[0]));
        assertEquals(Libc.EBADF, closed.errno());
        assertEquals("Bad file descriptor", closed.getMessage());

        Path file = Files.writeString(dir.resolve("plain"), "x");
        try (FdChannel plain = FdChannel.open(file.toString(), Libc.O_RDONLY)) {
            PosixException notSocket = assertThrows(PosixException.class,
                    () -> plain.intOption(Libc.SOL_SOCKET, Libc.SO_TYPE));
            assertEquals("Socket operation on non-socket", notSocket.getMessage());
            ByteBuffer in = ByteBuffer.allocate(4);
            assertEquals(1, plain.read(in));
            assertEquals(-1, plain.read(in), "end of file");
        }
    }

    @Test
    void unixPathsLongerThanTheKernelTakesAreRefusedBeforeTheCall() throws IOException {
        try (FdChannel a = FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0)) {
            PosixException e = assertThrows(PosixException.class,
                    () -> a.bind(UnixDomainSocketAddress.of("/tmp/" + "x".repeat(120))));
            assertEquals(Libc.EINVAL, e.errno());
        }
    }
}
