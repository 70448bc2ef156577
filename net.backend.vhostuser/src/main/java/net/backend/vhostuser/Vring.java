package net.backend.vhostuser;

import java.lang.foreign.MemorySegment;
import net.api.IoRegistration;
import net.posix.Libc;

/**
 * One virtqueue of the back end as the front end set it up: its ring, where the front end placed
 * it (kept to place it again when the memory table changes), its eventfds and whether it runs. A
 * ring runs once it has a kick eventfd, until {@code VHOST_USER_GET_VRING_BASE} stops it; it
 * carries frames while it is also enabled.
 */
final class Vring {

    final int index;
    final DeviceQueue queue;
    /** The chain being worked on, and a second one for a frame spread over several (MRG_RXBUF). */
    DescriptorChain chain;
    DescriptorChain more;
    /** Heads and lengths of the chains one received frame fills. */
    int[] heads = new int[0];
    int[] lengths = new int[0];

    long descAddr;
    long availAddr;
    long usedAddr;
    boolean addressed;
    int kickFd = -1;
    int callFd = -1;
    int errFd = -1;
    IoRegistration kick;
    boolean started;
    boolean enabled;
    /** A signal to the driver is due once the current batch ends. */
    boolean callDue;

    Vring(int index, GuestMemory memory) {
        this.index = index;
        this.queue = new DeviceQueue(memory);
    }

    /** @return whether it is a receive queue (0, 2, ...): the device writes frames for the guest there */
    boolean receives() {
        return index % 2 == 0;
    }

    /** @return whether frames may move through it now */
    boolean running() {
        return started && enabled && queue.ready();
    }

    /** Sizes the per-chain bookkeeping for {@code entries} descriptors; done once per set-up. */
    void size(int entries) {
        queue.size(entries);
        if (chain == null || heads.length != entries) {
            chain = new DescriptorChain(queue.memory(), entries);
            more = new DescriptorChain(queue.memory(), entries);
            heads = new int[entries];
            lengths = new int[entries];
        }
    }

    /**
     * Places the ring where the front end said, in the current memory table.
     *
     * @return false when the table does not hold the three parts
     */
    boolean place() {
        SplitRingLayout layout = queue.layout();
        if (!addressed || layout == null) {
            return false;
        }
        MemorySegment desc = queue.memory().userRange(descAddr, layout.descTableSize());
        MemorySegment avail = queue.memory().userRange(availAddr, layout.availSize());
        MemorySegment used = queue.memory().userRange(usedAddr, layout.usedSize());
        // the indexes are read and written with ordered accesses, which need aligned addresses here
        if (desc == null || avail == null || used == null
                || !SplitRingLayout.isAligned(desc.address(), avail.address(), used.address())) {
            queue.unplace();
            return false;
        }
        queue.place(desc, avail, used);
        return true;
    }

    /** Stops the ring: no more kicks are heard and nothing moves until it is started again. */
    void stop() {
        started = false;
        callDue = false;
        if (kick != null) {
            kick.cancel();
            kick = null;
        }
        kickFd = closed(kickFd);
    }

    /** Stops it and lets go of every descriptor the front end gave for it. */
    void release() {
        stop();
        callFd = closed(callFd);
        errFd = closed(errFd);
        enabled = false;
        addressed = false;
        queue.unplace();
    }

    /** Closes a descriptor if there is one. @return -1 */
    static int closed(int fd) {
        if (fd >= 0) {
            Libc.close(fd);
        }
        return -1;
    }
}
