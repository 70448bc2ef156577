package net.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bytes and descriptors over a real unix socket, and closing that wakes a blocked call; polled,
 * the same on virtual threads that park while the socket is not ready.
 */
@Timeout(30)
class UnixStreamTest {

    @TempDir
    Path dir;

    private static String file(int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    }

    @Test
    void descriptorsTravelWithTheBytesAndTheKernelKeepsSixteen() throws Exception {
        Path path = dir.resolve("s");
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_STREAM);
        try (UnixStream server = UnixStream.listen(path, 1); UnixStream client = UnixStream.connect(path);
                UnixStream accepted = server.accept()) {
            client.send(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)), pair[0], pair[1]);
            List<Integer> fds = new ArrayList<>();
            ByteBuffer in = ByteBuffer.allocate(64);
            assertEquals(5, accepted.receive(in, fds::add));
            assertEquals("hello", new String(in.array(), 0, 5, StandardCharsets.US_ASCII));
            assertEquals(List.of(file(pair[0]), file(pair[1])), List.of(file(fds.get(0)), file(fds.get(1))));
            fds.forEach(Libc::close);

            int[] many = new int[40];
            java.util.Arrays.fill(many, pair[0]);
            client.send(ByteBuffer.wrap(new byte[] {'x'}), many);
            fds.clear();
            assertEquals(1, accepted.receive(in.clear(), fds::add));
            assertEquals(UnixStream.MAX_FDS, fds.size(), "the rest were cut (MSG_CTRUNC) and closed by the kernel");
            fds.forEach(Libc::close);
        } finally {
            Libc.close(pair[0]);
            Libc.close(pair[1]);
        }
    }

    @Test
    void closeWakesABlockedReceiveAndAccept() throws Exception {
        Path path = dir.resolve("s");
        try (UnixStream server = UnixStream.listen(path, 1); UnixStream client = UnixStream.connect(path)) {
            UnixStream accepted = server.accept();
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return accepted.receive(ByteBuffer.allocate(8), fd -> { });
                } catch (PosixException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofPlatform().start(r));
            CompletableFuture<UnixStream> accept = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (PosixException e) {
                    return null;
                }
            }, r -> Thread.ofPlatform().start(r));
            accepted.close();
            assertEquals(-1, read.get(10, TimeUnit.SECONDS));
            server.close();
            assertEquals(null, accept.get(10, TimeUnit.SECONDS));
            assertThrows(PosixException.class, () -> accepted.write(ByteBuffer.wrap(new byte[1])));
        }
    }

    @Test
    void receiveWaitingTakesTheWaitingMessagesDescriptorsAndNeverBlocks() throws Exception {
        Path path = dir.resolve("s");
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_STREAM);
        try (UnixStream server = UnixStream.listen(path, 1); UnixStream client = UnixStream.connect(path);
                UnixStream accepted = server.accept()) {
            List<Integer> fds = new ArrayList<>();
            // Read through the number, as a one-shot receiver of a socketpair end does.
            assertEquals(0, UnixStream.receiveWaiting(accepted.fd(), fds::add), "nothing waits: it returns");
            client.send(ByteBuffer.wrap(new byte[] {'x'}), pair[0]); // in the peer's queue once sent
            assertEquals(1, UnixStream.receiveWaiting(accepted.fd(), fds::add));
            assertEquals(1, fds.size());
            assertEquals(file(pair[0]), file(fds.getFirst()), "the socket sent");
            fds.forEach(Libc::close);
            client.close();
            assertEquals(0, UnixStream.receiveWaiting(accepted.fd(), fds::add), "end of stream");
        } finally {
            Libc.close(pair[0]);
            Libc.close(pair[1]);
        }
    }

    @Test
    void receiveNowTakesNoMoreThanAskedSoTheNextMessageKeepsItsDescriptors() throws Exception {
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_STREAM);
        int[] passed = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_STREAM);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment scratch = arena.allocate(UnixStream.SCRATCH_SIZE, 8);
            MemorySegment out = arena.allocate(16);
            MemorySegment in = arena.allocate(16);
            List<Integer> fds = new ArrayList<>();
            assertEquals(-Libc.EAGAIN, UnixStream.receiveNow(pair[1], in, scratch, fds::add), "nothing waits");

            out.fill((byte) 1);
            assertEquals(16, UnixStream.sendNow(pair[0], out, passed, 2, scratch));
            out.fill((byte) 2);
            assertEquals(16, UnixStream.sendNow(pair[0], out, new int[] {passed[0]}, 1, scratch));

            assertEquals(12, UnixStream.receiveNow(pair[1], in.asSlice(0, 12), scratch, fds::add));
            assertEquals(List.of(file(passed[0]), file(passed[1])), fds.stream().map(UnixStreamTest::fileOf).toList(),
                    "the descriptors come with the first bytes");
            assertEquals(4, UnixStream.receiveNow(pair[1], in.asSlice(12, 4), scratch, fds::add),
                    "the rest of the first message, no more");
            assertEquals(2, fds.size());
            assertEquals(16, UnixStream.receiveNow(pair[1], in, scratch, fds::add));
            assertEquals((byte) 2, in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 15));
            assertEquals(3, fds.size());
            assertEquals(file(passed[0]), fileOf(fds.get(2)));
            fds.forEach(Libc::close);

            Libc.close(pair[0]);
            pair[0] = -1;
            assertEquals(0, UnixStream.receiveNow(pair[1], in, scratch, fds::add), "end of stream");
            assertEquals(-Libc.EPIPE, UnixStream.sendNow(pair[1], out, passed, 0, scratch), "no SIGPIPE");
        } finally {
            for (int fd : new int[] {pair[0], pair[1], passed[0], passed[1]}) {
                if (fd >= 0) {
                    Libc.close(fd);
                }
            }
        }
    }

    private static String fileOf(int fd) {
        try {
            return file(fd);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void polledStreamsServeVirtualThreadsThatParkUntilReady() throws Exception {
        Path path = dir.resolve("s");
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_STREAM);
        try (Poller poller = Poller.start("test-poll"); UnixStream server = UnixStream.listen(path, 1)) {
            server.pollWith(poller);
            CompletableFuture<UnixStream> accept = virtual(server::accept);
            UnixStream client = UnixStream.connect(path);
            UnixStream accepted = accept.get(10, TimeUnit.SECONDS);
            // Nothing to read yet: the reader parks until the bytes and their descriptor come.
            List<Integer> fds = new ArrayList<>();
            ByteBuffer in = ByteBuffer.allocate(64);
            CompletableFuture<Integer> read = virtual(() -> accepted.receive(in, fds::add));
            client.send(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)), pair[0]);
            assertEquals(2, read.get(10, TimeUnit.SECONDS));
            assertEquals(List.of(file(pair[0])), List.of(file(fds.getFirst())));
            fds.forEach(Libc::close);

            // 4 MiB do not fit the socket's buffers: the writer parks until the client reads.
            int size = 4 << 20;
            CompletableFuture<Integer> write = virtual(() -> {
                accepted.write(ByteBuffer.allocate(size));
                return size;
            });
            int got = 0;
            for (ByteBuffer chunk = ByteBuffer.allocate(65536); got < size; chunk.clear()) {
                got += client.receive(chunk, Libc::close);
            }
            assertEquals(size, write.get(10, TimeUnit.SECONDS));

            // Closing wakes a parked reader and a parked accept.
            CompletableFuture<Integer> parked = virtual(() -> accepted.receive(in.clear(), fd -> { }));
            CompletableFuture<UnixStream> parkedAccept = virtual(() -> {
                try {
                    return server.accept();
                } catch (PosixException e) {
                    return null;
                }
            });
            accepted.close();
            assertEquals(-1, parked.get(10, TimeUnit.SECONDS));
            server.close();
            assertEquals(null, parkedAccept.get(10, TimeUnit.SECONDS));
            assertEquals(-1, client.receive(in.clear(), fd -> { }), "the peer sees the end of the stream");
            client.close();
        } finally {
            Libc.close(pair[0]);
            Libc.close(pair[1]);
        }
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> CompletableFuture<T> virtual(Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }
}
