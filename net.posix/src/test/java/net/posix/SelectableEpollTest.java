package net.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One select for the JDK's channels and raw descriptors: the epoll instance behind a channel. */
class SelectableEpollTest {

    @Test
    void aSelectorWakesForADescriptorInTheInstanceAndNotBefore() throws Exception {
        int fd = EventFd.create();
        try (Arena arena = Arena.ofConfined(); Selector selector = Selector.open();
                SelectableEpoll epoll = SelectableEpoll.open()) {
            assertEquals("anon_inode:[eventpoll]", link(epoll.fd()));
            SelectionKey key = epoll.channel().register(selector, SelectionKey.OP_READ);
            Epoll.control(epoll.fd(), Epoll.CTL_ADD, fd, Epoll.IN, 42, arena.allocate(Epoll.EVENT_SIZE, 8));
            assertEquals(0, selector.selectNow(), "nothing is ready yet");

            EventFd.signal(fd);
            assertEquals(1, selector.select(5000), "the signal wakes the selector");
            assertEquals(Set.of(key), selector.selectedKeys());
            assertEquals(SelectionKey.OP_READ, key.readyOps());
            MemorySegment events = arena.allocate(Epoll.EVENT_SIZE * 4, 8);
            assertEquals(1, Epoll.await(epoll.fd(), events, 4, 0));
            assertEquals(42, Epoll.data(events, 0), "the instance says which descriptor it was");

            selector.selectedKeys().clear();
            EventFd.drain(fd);
            assertEquals(0, selector.selectNow(), "drained: ready no more");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void closingReleasesTheInstance() throws Exception {
        int number;
        try (Selector selector = Selector.open(); SelectableEpoll epoll = SelectableEpoll.open()) {
            number = epoll.fd();
            epoll.channel().register(selector, SelectionKey.OP_READ);
            epoll.close();
            selector.selectNow(); // a registered channel's descriptor goes when its key does
            assertFalse(epoll.channel().isOpen());
        }
        String after;
        try {
            after = link(number);
        } catch (NoSuchFileException e) {
            after = "closed";
        }
        assertNotEquals("anon_inode:[eventpoll]", after);
    }

    private static String link(int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    }
}
