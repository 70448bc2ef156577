package net.qmp.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.api.NetException;
import net.posix.Libc;

/**
 * QEMU's file descriptor sets: descriptors QMP clients passed with {@code add-fd}, shared by all
 * clients of the server, kept while a client is connected and closed when the last one leaves
 * (QEMU closes the ones nothing has opened through {@code /dev/fdset/N} then; in Patchbay nothing
 * opens them). Thread-safe.
 */
final class FdSets {

    /**
     * Descriptors all sets may hold. QEMU has no bound; Patchbay has one, so clients that add
     * descriptors without end cannot exhaust the process's descriptors.
     */
    static final int MAX_FDS = 256;

    /** A descriptor in a set, with the client's note. */
    private record Member(int fd, String opaque) {
    }

    /** By set id; each set's members in the order they were added. */
    private final TreeMap<Long, List<Member>> sets = new TreeMap<>();
    private int count;
    private int clients;

    /**
     * {@code add-fd}.
     *
     * @param id     the set, or null for the lowest id no set has
     * @param opaque the client's note, or null
     * @param fd     the descriptor, owned by the sets from now on (closed here on error)
     * @return QAPI's AddfdInfo
     * @throws NetException QEMU's {@code Parameter 'fdset-id' expects a non-negative value}, or
     *                      Patchbay's bound
     */
    synchronized ObjectNode add(Long id, String opaque, int fd) throws NetException {
        if (id != null && id < 0) {
            Libc.close(fd);
            throw NetException.generic("Parameter 'fdset-id' expects a non-negative value");
        }
        if (count >= MAX_FDS) {
            Libc.close(fd);
            throw NetException.generic("Too many file descriptors in fdsets (at most %d)", MAX_FDS);
        }
        long set = id != null ? id : firstFree();
        sets.computeIfAbsent(set, s -> new ArrayList<>()).add(new Member(fd, opaque));
        count++;
        ObjectNode info = QmpJson.MAPPER.createObjectNode();
        info.put("fd", fd);
        info.put("fdset-id", set);
        return info;
    }

    private long firstFree() {
        long next = 0;
        for (long used : sets.keySet()) {
            if (used != next) {
                break;
            }
            next++;
        }
        return next;
    }

    /**
     * {@code remove-fd}: closes one descriptor of a set, or all; a set left empty is gone.
     *
     * @param id the set
     * @param fd the descriptor, or null for all
     * @throws NetException QEMU's {@code File descriptor named 'fdset-id:N[, fd:M]' not found}
     */
    synchronized void remove(long id, Long fd) throws NetException {
        List<Member> members = sets.get(id);
        Member member = members == null || fd == null ? null
                : members.stream().filter(m -> m.fd() == fd).findFirst().orElse(null);
        if (members == null || (fd != null && member == null)) {
            throw NetException.generic("File descriptor named '%s' not found",
                    fd == null ? "fdset-id:" + id : "fdset-id:" + id + ", fd:" + fd);
        }
        List<Member> removed = member == null ? List.copyOf(members) : List.of(member);
        removed.forEach(m -> Libc.close(m.fd()));
        members.removeAll(removed);
        count -= removed.size();
        if (members.isEmpty()) {
            sets.remove(id);
        }
    }

    /** @return {@code query-fdsets}' list, in QEMU's order: highest set first, members as added */
    synchronized ArrayNode query() {
        ArrayNode list = QmpJson.MAPPER.createArrayNode();
        for (Map.Entry<Long, List<Member>> set : sets.descendingMap().entrySet()) {
            ObjectNode info = list.addObject();
            ArrayNode fds = info.putArray("fds");
            for (Member m : set.getValue()) {
                ObjectNode member = fds.addObject().put("fd", m.fd());
                if (m.opaque() != null) {
                    member.put("opaque", m.opaque());
                }
            }
            info.put("fdset-id", set.getKey());
        }
        return list;
    }

    /** A QMP client connected. */
    synchronized void clientConnected() {
        clients++;
    }

    /** A QMP client left; once none is left, every set is closed, as in QEMU. */
    synchronized void clientLeft() {
        if (--clients == 0) {
            closeAll();
        }
    }

    /** Closes every descriptor of every set. */
    synchronized void closeAll() {
        sets.values().forEach(members -> members.forEach(m -> Libc.close(m.fd())));
        sets.clear();
        count = 0;
    }
}
