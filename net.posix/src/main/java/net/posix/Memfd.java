package net.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Anonymous shared memory: {@code memfd_create(2)} sized with {@code ftruncate(2)}, a descriptor
 * that another process can map once it is passed to it (SCM_RIGHTS), as a vhost-user front end
 * shares its rings and buffers. Map it with {@link MappedRegion#map}.
 *
 * <p>The file is sealed at its size, as QEMU's memfd memory backend seals it: a process it is
 * passed to cannot shrink it under this one's mappings (which would make the next access fault).
 */
public final class Memfd {

    private static final int MFD_CLOEXEC = 1;
    private static final int MFD_ALLOW_SEALING = 2;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_SEAL_SEAL = 1;
    private static final int F_SEAL_SHRINK = 2;
    private static final int F_SEAL_GROW = 4;

    private static final MethodHandle MEMFD_CREATE = Libc.function("memfd_create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = Libc.function("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle FCNTL = Libc.function("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));

    private Memfd() {
    }

    /**
     * Makes a memory file of {@code size} zero bytes, sealed at that size (no shrinking, no
     * growing, no further seals).
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
            seal(fd);
            return fd;
        } catch (PosixException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    private static int memfdCreate(String name) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState();
            int fd = (int) MEMFD_CREATE.invokeExact(state, arena.allocateFrom(name), MFD_CLOEXEC | MFD_ALLOW_SEALING);
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

    private static void seal(int fd) throws PosixException {
        try {
            MemorySegment state = Libc.callState();
            if ((int) FCNTL.invokeExact(state, fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
                throw Libc.error(Libc.errno(state));
            }
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
