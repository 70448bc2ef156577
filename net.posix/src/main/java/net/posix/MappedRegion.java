package net.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A shared, writable mapping of part of a file ({@code mmap(2)} with {@code MAP_SHARED}): memory
 * another process maps too, such as a memfd a vhost-user front end passes with its memory table;
 * or {@linkplain #anonymous private memory} that takes room only where it is touched.
 * Its {@link #segment()} covers exactly the bytes asked for, whatever their page alignment, and is
 * bounds-checked like any segment; once the region is {@linkplain #close() closed} it is unmapped
 * and every access through the segment throws {@link IllegalStateException} instead of touching
 * memory that is no longer there.
 *
 * <p>Only bytes inside the file are mapped (touching a page past its end faults with SIGBUS), so
 * a peer cannot make this process fault by announcing a region larger than the file it passed. A
 * peer that shrinks its file afterwards still can: the JVM then raises the fault on the accessing
 * thread as an {@link InternalError} ("a fault occurred in an unsafe memory access operation"),
 * which a thread that must survive a hostile peer, such as an event loop, catches. QEMU's memfd
 * backend seals its file against that by default.
 */
public final class MappedRegion implements AutoCloseable {

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final int MAP_PRIVATE = 2;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int SC_PAGESIZE = 30;
    /** {@code st_size} in {@code struct stat}, the same on x86_64 and aarch64. */
    private static final long STAT_SIZE_OFFSET = 48;
    private static final long STAT_BYTES = 256;

    private static final MethodHandle MMAP = Libc.function("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Libc.function("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle FSTAT = Libc.function("fstat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SYSCONF = Libc.function("sysconf",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final long PAGE_SIZE = pageSize();

    private final Arena arena;
    private final MemorySegment segment;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MappedRegion(Arena arena, MemorySegment segment) {
        this.arena = arena;
        this.segment = segment;
    }

    /**
     * Maps {@code size} bytes of a file from {@code offset}, readable and writable, shared with
     * every other mapping of that file. The descriptor may be closed afterwards: the mapping
     * stays until {@link #close()}.
     *
     * @param fd     the file (a memfd, a file on hugetlbfs or tmpfs)
     * @param offset where in the file (any alignment)
     * @param size   how many bytes (positive)
     * @return the mapping
     * @throws PosixException {@code EINVAL} when {@code offset + size} is negative, overflows or
     *                        lies past the file's end; otherwise mmap's error ({@code EBADF},
     *                        {@code EACCES} for a file not open for writing, {@code ENOMEM})
     */
    public static MappedRegion map(int fd, long offset, long size) throws PosixException {
        if (offset < 0 || size <= 0 || offset + size < 0 || offset + size > fileSize(fd)) {
            throw Libc.error(Libc.EINVAL);
        }
        long lead = offset % PAGE_SIZE;
        long length = size + lead;
        MemorySegment address = mmap(fd, offset - lead, length, MAP_SHARED);
        Arena arena = Arena.ofShared();
        MemorySegment whole = address.reinterpret(length, arena, at -> munmap(at, length));
        return new MappedRegion(arena, whole.asSlice(lead, size));
    }

    /**
     * Maps {@code size} bytes of this process's own zeroed memory ({@code MAP_PRIVATE |
     * MAP_ANONYMOUS}): pages take memory only once touched, so a large buffer of which little is
     * used at a time (room for the largest datagram in each of many slots) costs what is used.
     *
     * @param size how many bytes (positive)
     * @return the mapping
     * @throws PosixException mmap's error ({@code ENOMEM})
     */
    public static MappedRegion anonymous(long size) throws PosixException {
        if (size <= 0) {
            throw Libc.error(Libc.EINVAL);
        }
        MemorySegment address = mmap(-1, 0, size, MAP_PRIVATE | MAP_ANONYMOUS);
        Arena arena = Arena.ofShared();
        return new MappedRegion(arena, address.reinterpret(size, arena, at -> munmap(at, size)));
    }

    /**
     * @return the mapped bytes, exactly the size asked for; inaccessible once closed. Its
     *         {@link MemorySegment#address() address} is this process's virtual address of the
     *         first byte (vhost-user's {@code userspace_addr}).
     */
    public MemorySegment segment() {
        return segment;
    }

    /** @return the size in bytes */
    public long size() {
        return segment.byteSize();
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Unmaps the region; idempotent. Call it from the thread that uses the segment, or once no
     * thread does: a thread inside a native call that was given the segment makes it fail with
     * {@link IllegalStateException}, and the region stays mapped.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                arena.close();
            } catch (IllegalStateException e) {
                closed.set(false);
                throw e;
            }
        }
    }

    @Override
    public String toString() {
        return "mapping of " + size() + " bytes at 0x" + Long.toHexString(segment.address())
                + (closed.get() ? " (closed)" : "");
    }

    private static long fileSize(int fd) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(STAT_BYTES, 8);
            MemorySegment state = Libc.callState();
            if ((int) FSTAT.invokeExact(state, fd, stat) < 0) {
                throw Libc.error(Libc.errno(state));
            }
            return stat.get(JAVA_LONG, STAT_SIZE_OFFSET);
        } catch (PosixException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MemorySegment mmap(int fd, long offset, long length, int flags) throws PosixException {
        try {
            MemorySegment state = Libc.callState();
            MemorySegment address = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length,
                    PROT_READ | PROT_WRITE, flags, fd, offset);
            if (address.address() == -1L) { // MAP_FAILED
                throw Libc.error(Libc.errno(state));
            }
            return address;
        } catch (PosixException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The arena's cleanup: nothing to report to if it fails (the address range stays reserved). */
    private static void munmap(MemorySegment address, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(Libc.callState(), address, length);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static long pageSize() {
        try {
            long size = (long) SYSCONF.invokeExact(Libc.callState(), SC_PAGESIZE);
            return size > 0 ? size : 4096;
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
    }
}
