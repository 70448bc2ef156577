package net.qmp.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.api.NetException;
import net.driverkit.MonitorDescriptors;
import net.posix.Libc;

/**
 * One QMP client's descriptors, as QEMU's monitor keeps them: those that came with the bytes
 * read last (its chardev's {@code read_msgfds}: replaced, and the old ones closed, when a later
 * message brings others), and those it named with {@code getfd}. Every descriptor here is closed
 * when the client disconnects, unless a command took it first. Thread-safe: the session's reader
 * fills it, its commands take from it, a driver opening on an event loop takes a named one.
 */
final class MonitorFds implements MonitorDescriptors.Monitor {

    /**
     * Named descriptors one client may hold. QEMU has no bound; Patchbay has one, so a client
     * that names descriptors without end cannot exhaust the process's descriptors.
     */
    static final int MAX_NAMED = 256;

    /** Received and not claimed yet; at most {@link net.posix.UnixStream#MAX_FDS} (the kernel bounds a message). */
    private List<Integer> pending = new ArrayList<>();
    /** Those that came with the message being read now. */
    private final List<Integer> arriving = new ArrayList<>();
    private final Map<String, Integer> named = new HashMap<>();
    private boolean closed;

    /** @param fd a descriptor that came with the bytes being read (call {@link #arrived()} after) */
    synchronized void received(int fd) {
        if (closed) {
            Libc.close(fd);
        } else {
            arriving.add(fd);
        }
    }

    /** The bytes that brought descriptors are read: those replace the ones nobody claimed. */
    synchronized void arrived() {
        if (!arriving.isEmpty()) {
            pending.forEach(Libc::close);
            pending = new ArrayList<>(arriving);
            arriving.clear();
        }
    }

    /**
     * Takes the first descriptor that came with the client's last message and closes the others,
     * as QEMU's {@code qemu_chr_fe_get_msgfd} does.
     *
     * @return it, owned by the caller
     * @throws NetException QEMU's {@code No file descriptor supplied via SCM_RIGHTS}
     */
    synchronized int takeReceived() throws NetException {
        if (pending.isEmpty()) {
            throw NetException.generic("No file descriptor supplied via SCM_RIGHTS");
        }
        int fd = pending.getFirst();
        pending.subList(1, pending.size()).forEach(Libc::close);
        pending = new ArrayList<>();
        return fd;
    }

    /**
     * {@code getfd}: names a descriptor; one that had the name before is closed, as QEMU replaces it.
     *
     * @param name its name
     * @param fd   the descriptor, owned by this monitor from now on (closed here on error)
     * @throws NetException when the client already holds {@link #MAX_NAMED} names
     */
    synchronized void name(String name, int fd) throws NetException {
        if (closed || (!named.containsKey(name) && named.size() >= MAX_NAMED)) {
            Libc.close(fd);
            throw NetException.generic("Too many named file descriptors (at most %d per monitor)", MAX_NAMED);
        }
        Integer old = named.put(name, fd);
        if (old != null) {
            Libc.close(old);
        }
    }

    /**
     * {@code closefd}.
     *
     * @param name a name given to {@code getfd}
     * @throws NetException QEMU's {@code File descriptor named 'NAME' not found}
     */
    synchronized void close(String name) throws NetException {
        Integer fd = named.remove(name);
        if (fd == null) {
            throw NetException.generic("File descriptor named '%s' not found", name);
        }
        Libc.close(fd);
    }

    @Override
    public synchronized int take(String name) {
        Integer fd = named.remove(name);
        return fd == null ? -1 : fd;
    }

    /** The client is gone: closes every descriptor it passed that no command took. */
    synchronized void closeAll() {
        closed = true;
        pending.forEach(Libc::close);
        arriving.forEach(Libc::close);
        named.values().forEach(Libc::close);
        pending.clear();
        arriving.clear();
        named.clear();
    }
}
