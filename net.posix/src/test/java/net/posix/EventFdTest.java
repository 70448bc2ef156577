package net.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Kicks and calls: signals add up until one drain resets them, and epoll sees a signalled one. */
class EventFdTest {

    @Test
    void signalsAddUpAndOneDrainTakesThemAll() throws Exception {
        int fd = EventFd.create();
        int epfd = Epoll.create();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(Epoll.EVENT_SIZE, 8);
            MemorySegment events = arena.allocate(Epoll.EVENT_SIZE * 4, 8);
            Epoll.control(epfd, Epoll.CTL_ADD, fd, Epoll.IN, 7, event);
            assertFalse(EventFd.drain(fd), "nothing signalled yet");
            assertEquals(0, Epoll.await(epfd, events, 4, 0));

            EventFd.signal(fd);
            EventFd.signal(fd);
            assertEquals(1, Epoll.await(epfd, events, 4, 1000));
            assertEquals(7, Epoll.data(events, 0));
            assertTrue(EventFd.drain(fd));
            assertFalse(EventFd.drain(fd), "one drain reset the counter");
            assertEquals(0, Epoll.await(epfd, events, 4, 0));
        } finally {
            Libc.close(epfd);
            Libc.close(fd);
        }
    }

    @Test
    void aBadDescriptorIsAnError() throws Exception {
        int fd = -1;
        assertEquals(Libc.EBADF, assertThrows(PosixException.class, () -> EventFd.signal(fd)).errno());
        assertEquals(Libc.EBADF, assertThrows(PosixException.class, () -> EventFd.drain(fd)).errno());
    }
}
