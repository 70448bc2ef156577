package net.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Anonymous shared memory: {@code memfd_create(2)} sized with {@code ftruncate(2)}, a descriptor
 * that another process can map once it is passed to it (SCM_RIGHTS), as a vhost-user front end
 * shares its rings and buffers. Map it with {@link MappedRegion#map}.
 */
public final class Memfd {

    private static final int MFD_CLOEXEC = 1;

    private static final MethodHandle MEMFD_CREATE = Libc.function("memfd_create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = Libc.function("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));

    private Memfd() {
    }

    /**
     * Makes a memory file of {@code size} zero bytes.
     *
     * @param name its name, shown as {@code /memfd:NAME} in {@code /proc/PID/maps} and {@code /proc/PID/fd}
     * @param size its size in bytes (positive)
     * @return the descriptor, close-on-exec; the caller closes it ({@link Libc#close})
     * @throws PosixException when the kernel refuses ({@code EMFILE}, {@code ENOMEM}, {@code EINVAL})
     */
    public static int create(String name, long size) throws PosixException {
        if (size <= 0) {
            throw Libc.error(Libc.EINVAL);
        }
        int fd = memfdCreate(name);
        try {
            truncate(fd, size);
            return fd;
        } catch (PosixException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    private static int memfdCreate(String name) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState();
            int fd = (int) MEMFD_CREATE.invokeExact(state, arena.allocateFrom(name), MFD_CLOEXEC);
            if (fd < 0) {
                throw Libc.error(Libc.errno(state));
            }
            return fd;
        } catch (PosixException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void truncate(int fd, long size) throws PosixException {
        try {
            MemorySegment state = Libc.callState();
            if ((int) FTRUNCATE.invokeExact(state, fd, size) < 0) {
                throw Libc.error(Libc.errno(state));
            }
        } catch (PosixException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
