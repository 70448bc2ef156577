package net.backend.dump;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.api.NetCounter;
import net.posix.Libc;

/**
 * One pcap or pcapng file and its writer. Each recorder ({@link Member}: a filter or a dump
 * netdev; several only for pcapng, one interface each) has a {@link CaptureRing} its event loop
 * {@link Member#record records} frames into; the capture's own writer thread opens the file (a
 * FIFO may wait for its reader), writes the header and drains the rings after every wake-up, so a
 * reader following the file sees each frame at once. The writer is per file so that a FIFO whose
 * reader stalls holds up only its own capture. A write error stops the capture and nothing else:
 * frames keep flowing unrecorded. A FIFO whose reader leaves (EPIPE) is not an error: the writer
 * waits for the next reader and starts it on a fresh header, and frames meanwhile are counted,
 * not recorded.
 */
final class Capture {

    /** What a capture tells its owner; called on the writer thread. */
    interface Listener {
        /**
         * The capture stopped because of an error (not because it was closed).
         *
         * @param file   the file, or null when it was never named
         * @param reason one line, e.g. {@code write error on x.pcap: No space left on device}
         */
        void failed(Path file, String reason);
    }

    /** Ends a capture with a reason. */
    static final class StopCapture extends Exception {
        private static final long serialVersionUID = 1L;

        StopCapture(String reason) {
            super(reason, null, false, false);
        }
    }

    /** How long {@link #awaitClosed()} waits for the writer to put the last frames on disk. */
    static final long CLOSE_WAIT_MS = 2000;
    private static final long IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long ONE_SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    /** How often a writer whose FIFO lost its reader looks for the next one. */
    private static final long READER_POLL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** strerror(EPIPE): how the JDK reports a write to a FIFO nobody reads any more. */
    private static final String BROKEN_PIPE = "Broken pipe";
    /** The state of a FIFO between two readers. */
    static final String READER_LEFT = "reader left; waiting for the next";
    /** The state of a FIFO before its first reader (frames are kept meanwhile). */
    static final String NO_READER_YET = "waiting for a reader";

    private final String name;
    /** The snap length as the pcap header states it (QEMU's uint32 maxlen). */
    private final int snaplen;
    private final int ringSize;
    /** pcapng, one interface per member; else classic pcap, one member. */
    private final boolean pcapng;
    private final System.Logger log;
    private final Thread writer;
    /** Who records into the file, in the order they came; members that left stay (empty). */
    private volatile Member[] members = new Member[0];
    /** pcapng: each member's interface description, by interface id; published before the member. */
    private volatile ByteBuffer[] interfaces = new ByteBuffer[0];
    private int interfacesWritten; // writer thread only: in the current section
    // The clock: wall time at creation plus monotonic time since, as QEMU does; no allocation.
    private final long baseMicros;
    private final long baseNanos;

    private volatile Path path;
    /** The file opened on the loop ({@link CaptureFile#openNow}), for the writer to take over; or -1. */
    private final int openedFd;
    private volatile boolean opening;
    /** The writer waits for {@link #release} or {@link #refuse} before it writes anything. */
    private volatile boolean held;
    private volatile String refusal;
    private volatile boolean writerWaiting;
    private volatile boolean closeRequested;
    /** Set while a FIFO has lost its reader and has no new one yet: the loop counts, not records. */
    private volatile boolean readerGone;
    /** Set once the writer has ended: the loop stops copying frames. */
    private volatile boolean stopped;
    private volatile String stopReason;

    /**
     * @param name     who writes, for logs and the thread name (the filter or netdev id)
     * @param netdev   the netdev it records (a pcapng interface's name)
     * @param pcapng   whether to write pcapng (other filters may {@link #join}) or classic pcap
     * @param snaplen  the most bytes stored per frame, as an unsigned 32-bit value
     * @param ringSize the ring's capacity (a power of two)
     * @param log      where reasons go
     * @param dropped  counts frames not recorded because the ring was full
     * @param noReader counts frames not recorded because the FIFO's reader had left
     * @param listener told when the capture fails
     * @param path     the file when known now (then {@code fd} may be open already), else null
     * @param fd       the file opened on the caller's thread by {@link CaptureFile#openNow} (the
     *                 capture closes it), or {@link CaptureFile#NOT_OPEN} to open it on the writer
     * @param held     whether the writer waits for {@link #release} or {@link #refuse}; frames are
     *                 kept in the ring meanwhile
     */
    Capture(String name, String netdev, boolean pcapng, int snaplen, int ringSize, System.Logger log,
            NetCounter dropped, NetCounter noReader, Listener listener, Path path, int fd, boolean held) {
        this.name = name;
        this.snaplen = snaplen;
        this.ringSize = ringSize;
        this.pcapng = pcapng;
        this.log = log;
        this.path = path;
        this.openedFd = fd;
        this.held = held;
        this.baseMicros = System.currentTimeMillis() * 1000;
        this.baseNanos = System.nanoTime();
        this.writer = new Thread(this::run, "pcap-writer " + name);
        this.writer.setDaemon(true);
        add(name, netdev, snaplen, dropped, noReader, listener);
    }

    /** @return the recorder the capture was made for */
    Member first() {
        return members[0];
    }

    /**
     * Another recorder writing into this pcapng file, as one more interface. Called on its loop.
     *
     * @return the new member, or null when this capture cannot take it (classic pcap, closing or
     *         stopped): the caller starts a capture of its own
     */
    synchronized Member join(String id, String netdev, int maxlen, NetCounter dropped, NetCounter noReader,
            Listener listener) {
        if (!pcapng || closeRequested || stopped) {
            return null;
        }
        Member m = add(id, netdev, maxlen, dropped, noReader, listener);
        LockSupport.unpark(writer); // its interface description goes out before its first frame
        return m;
    }

    /** @return whether this capture takes no more members */
    boolean isClosing() {
        return closeRequested || stopped;
    }

    private synchronized Member add(String id, String netdev, int maxlen, NetCounter dropped, NetCounter noReader,
            Listener listener) {
        int interfaceId = interfaces.length;
        if (pcapng) {
            ByteBuffer[] more = Arrays.copyOf(interfaces, interfaceId + 1);
            more[interfaceId] = PcapngFormat.interfaceDescription(netdev, id, maxlen);
            interfaces = more;
        }
        Member m = new Member(id, interfaceId, maxlen, dropped, noReader, listener);
        Member[] more = Arrays.copyOf(members, members.length + 1);
        more[members.length] = m;
        members = more;
        return m;
    }

    private void leave(Member m) {
        synchronized (this) {
            m.left = true;
            for (Member other : members) {
                if (!other.left) {
                    return;
                }
            }
            closeRequested = true;
        }
        LockSupport.unpark(writer);
    }

    /**
     * One recorder: a filter or a dump netdev, with a ring only its loop fills, so recorders on
     * different loops never share one; the capture's writer drains every member's ring.
     */
    final class Member {
        private final String id;
        private final int interfaceId;
        /** The most bytes stored per frame. */
        private final int storeLimit;
        private final CaptureRing ring = new CaptureRing(ringSize);
        private final NetCounter dropped;
        private final NetCounter noReader;
        private final Listener listener;
        private volatile boolean left;
        private long lastDropLogNanos; // loop thread only
        private long dropsAtLastLog; // loop thread only

        private Member(String id, int interfaceId, int maxlen, NetCounter dropped, NetCounter noReader,
                Listener listener) {
            this.id = id;
            this.interfaceId = interfaceId;
            this.storeLimit = maxlen < 0 ? Integer.MAX_VALUE : maxlen; // above 2^31: everything fits
            this.dropped = dropped;
            this.noReader = noReader;
            this.listener = listener;
        }

        /** @return the capture this member records into */
        Capture capture() {
            return Capture.this;
        }

        /**
         * Records one frame. Its loop only; never blocks, never allocates (except one log line a
         * second while frames are being lost).
         *
         * @param frame the frame between position and limit; left unchanged
         */
        void record(ByteBuffer frame) {
            if (stopped || left) {
                return;
            }
            if (readerGone) {
                noReader.increment();
                return;
            }
            long micros = baseMicros + (System.nanoTime() - baseNanos) / 1000;
            boolean kept = pcapng ? ring.offerBlock(interfaceId, micros, frame, storeLimit)
                    : ring.offer(micros / 1_000_000, (int) (micros % 1_000_000), frame, storeLimit);
            if (!kept) {
                dropped.increment();
                reportDrops();
                return;
            }
            if (writerWaiting) {
                LockSupport.unpark(writer);
            }
        }

        private void reportDrops() {
            long now = System.nanoTime();
            if (now - lastDropLogNanos >= ONE_SECOND_NS) {
                long total = dropped.get();
                log.log(System.Logger.Level.WARNING, id + ": capture to " + describe(path) + " is behind: "
                        + (total - dropsAtLastLog) + " frames not recorded (" + total + " in all)");
                lastDropLogNanos = now;
                dropsAtLastLog = total;
            }
        }

        /**
         * Stops this member's recording; the last member to leave closes the capture. Returns at
         * once; called on the loop when the filter or netdev goes away.
         */
        void close() {
            leave(this);
        }

        /** Waits (bounded) for the file to be complete and closed, when this member closed it. */
        void awaitClosed() {
            if (closeRequested) {
                Capture.this.awaitClosed();
            }
        }
    }

    /** Starts the writer. */
    void start() {
        writer.start();
    }

    /** @return the file, or null while it is not decided yet */
    Path path() {
        return path;
    }

    /** @return why the capture stopped on its own, or null while it runs or after a clean close */
    String stopReason() {
        return stopReason;
    }

    /** @return whether frames are still being recorded */
    boolean isRunning() {
        return !stopped;
    }

    /**
     * What {@code info network} adds after the options: nothing while recording.
     *
     * @return {@code " (stopped: REASON)"}, {@code " (waiting for a reader)"},
     *         {@code " (reader left; waiting for the next)"} or ""
     */
    String state() {
        String reason = stopReason;
        if (reason != null) {
            return " (stopped: " + reason + ")";
        }
        if (stopped) {
            return "";
        }
        Path p = path;
        if (opening && openedFd < 0 && p != null && CaptureFile.isFifo(p)) {
            return " (" + NO_READER_YET + ")"; // the writer waits in open() for the first reader
        }
        return readerGone ? " (" + READER_LEFT + ")" : "";
    }

    /**
     * Lets a held writer go on: the file is decided. Called on the loop.
     *
     * @param file the file, when none was given at construction; else null
     */
    void release(Path file) {
        if (file != null) {
            path = file;
        }
        held = false;
        LockSupport.unpark(writer);
    }

    /**
     * Stops a held capture before it writes anything, e.g. a dump that is not on a hub. Called on
     * the loop.
     *
     * @param reason why, reported like a write error
     */
    void refuse(String reason) {
        refusal = reason;
        held = false;
        LockSupport.unpark(writer);
    }

    /**
     * Waits (bounded) until what was recorded is in the file and the file is closed. Called on a
     * control thread after the last {@link Member#close()} ({@code release()}): the wait is what lets
     * {@code object-del} and {@code netdev_del} promise a complete file, and its bound keeps a
     * stalled FIFO reader from holding the control thread.
     */
    void awaitClosed() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MS);
        boolean released = false;
        try {
            while (writer.isAlive() && System.nanoTime() < deadline) {
                Path p = path;
                if (!released && opening && p != null && CaptureFile.isFifo(p)) {
                    releaseFifoOpen(p);
                    released = true;
                }
                writer.join(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            log.log(System.Logger.Level.WARNING, name + ": capture to " + describe(path)
                    + " still writing after " + CLOSE_WAIT_MS + " ms; it closes when its reader catches up");
        }
    }

    /**
     * A writer blocked opening a FIFO nobody reads is released by opening the read end once, then
     * closing it (its next write fails, as intended). Non-blocking, so this never waits itself: a
     * blocking open would hang for good if the writer got its reader and left in the meantime.
     */
    private static void releaseFifoOpen(Path fifo) {
        try {
            Libc.close(Libc.open(fifo.toString(), Libc.O_RDONLY | Libc.O_NONBLOCK));
        } catch (IOException e) {
            // gone, or not ours to open: the writer's open ends some other way, or the wait's bound does
        }
    }

    // ---- the writer thread ------------------------------------------------------------------

    private void run() {
        String failure = null;
        FileChannel out = null;
        try {
            while (held && !closeRequested) {
                LockSupport.parkNanos(this, IDLE_PARK_NS);
            }
            if (refusal != null) {
                throw new StopCapture(refusal);
            }
            Path resolved = path;
            if (resolved == null) {
                return; // closed before its file was named: nowhere to keep what was recorded
            }
            // Announce the open before looking at the close request; awaitClosed() runs after the
            // request was set and looks at this flag, so one of the two always sees the other.
            opening = true;
            try {
                if (closeRequested && openedFd < 0 && CaptureFile.isFifo(resolved)) {
                    return; // closed before anyone read: do not wait for a reader that will not come
                }
                out = openedFd >= 0 ? CaptureFile.reopen(openedFd) : CaptureFile.open(resolved);
            } catch (IOException e) {
                throw new StopCapture("can't open " + resolved + ": " + CaptureFile.reason(e));
            } finally {
                opening = false;
            }
            boolean fifo = CaptureFile.isFifo(resolved);
            while (out != null) {
                try {
                    startSection(out);
                    drainUntilClosed(out);
                    return;
                } catch (IOException e) {
                    if (!fifo || closeRequested || !BROKEN_PIPE.equals(CaptureFile.reason(e))) {
                        throw e;
                    }
                    out.close();
                    out = null; // closed: not again in finally, should the wait end in an error
                    out = awaitNextReader(resolved);
                }
            }
        } catch (StopCapture e) {
            failure = e.getMessage();
        } catch (IOException e) {
            failure = "write error on " + describe(path) + ": " + CaptureFile.reason(e);
        } catch (RuntimeException e) {
            failure = "capture failed: " + e;
        } finally {
            stopped = true;
            if (openedFd >= 0) {
                Libc.close(openedFd);
            }
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    if (failure == null) {
                        failure = "close of " + describe(path) + " failed: " + CaptureFile.reason(e);
                    }
                }
            }
            if (failure != null && !closeRequested) {
                stopReason = failure;
                log.log(System.Logger.Level.ERROR, name + ": " + failure + " - stopping dump");
                for (Member m : members) {
                    if (m.left) {
                        continue; // its filter is gone, and its context with it
                    }
                    try {
                        m.listener.failed(path, failure);
                    } catch (RuntimeException e) {
                        log.log(System.Logger.Level.ERROR, m.id + ": capture listener failed: " + e, e);
                    }
                }
            } else if (failure != null) {
                log.log(System.Logger.Level.DEBUG, name + ": closed; last error: " + failure);
            }
        }
    }

    /**
     * The FIFO's reader left: stop recording (the loop counts frames instead), forget what the old
     * reader did not take (the next reader starts on a record boundary, after its own header) and
     * look for the next reader, without blocking, so a close is seen at once and a deleted FIFO
     * ends the capture instead of leaving the writer waiting on a name nobody can open.
     *
     * @return the channel to the next reader, or null when the capture was closed meanwhile
     */
    private FileChannel awaitNextReader(Path fifo) throws IOException, StopCapture {
        readerGone = true;
        discardAll();
        log.log(System.Logger.Level.INFO, name + ": the reader of " + fifo + " left; waiting for the next one");
        while (!closeRequested) {
            int fd;
            try {
                fd = CaptureFile.openReaderNow(fifo);
            } catch (IOException e) {
                throw new StopCapture("can't open " + fifo + ": " + CaptureFile.reason(e));
            }
            if (fd != CaptureFile.NOT_OPEN) {
                try {
                    discardAll(); // a frame recorded as the reader left would start the stream
                    readerGone = false;
                    return CaptureFile.reopen(fd);
                } finally {
                    Libc.close(fd);
                }
            }
            LockSupport.parkNanos(this, READER_POLL_NS);
        }
        return null;
    }

    private void discardAll() {
        for (Member m : members) {
            m.ring.discard();
        }
    }

    /** The file's header: pcap's global header, or pcapng's section header and interfaces. */
    private void startSection(FileChannel out) throws IOException {
        if (!pcapng) {
            writeFully(out, PcapFormat.globalHeader(snaplen));
            return;
        }
        writeFully(out, PcapngFormat.sectionHeader());
        interfacesWritten = 0;
        writeNewInterfaces(out);
    }

    /** pcapng: the descriptions of members that joined since; before any of their frames. */
    private void writeNewInterfaces(FileChannel out) throws IOException {
        ByteBuffer[] all = interfaces;
        while (interfacesWritten < all.length) {
            writeFully(out, all[interfacesWritten++].duplicate());
        }
    }

    private void drainUntilClosed(FileChannel out) throws IOException, StopCapture {
        Object fileKey = fileKey(path);
        long lastCheck = System.nanoTime();
        while (true) {
            // Looked at before the ring: the loop records before it closes, so once the close is
            // seen every record is too. Looked at after, a record made between the two looks
            // would be left behind (the last frame of a capture, now and then, at shutdown).
            boolean closing = closeRequested;
            // Members before interfaces: a member's interface is published before the member.
            Member[] recorders = members;
            if (pcapng) {
                writeNewInterfaces(out);
            }
            boolean wrote = false;
            for (Member m : recorders) {
                if (m.ring.pending() > 0) {
                    m.ring.drainTo(out); // whole records: each ring ends on a record boundary
                    wrote = true;
                }
            }
            if (!wrote && closing) {
                return; // the loops record nothing after the last close(), so this was the last batch
            } else if (!wrote) {
                writerWaiting = true;
                if (nothingPending() && !closeRequested) {
                    LockSupport.parkNanos(this, IDLE_PARK_NS);
                }
                writerWaiting = false;
            }
            long now = System.nanoTime();
            if (now - lastCheck >= ONE_SECOND_NS) {
                lastCheck = now;
                checkStillThere(fileKey);
            }
        }
    }

    private boolean nothingPending() {
        for (Member m : members) {
            if (m.ring.pending() > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writing to a file whose name was removed still succeeds (the inode lives on) but nobody can
     * read it any more: treat that as a write error, once a second.
     */
    private void checkStillThere(Object fileKey) throws StopCapture {
        if (fileKey == null) {
            return;
        }
        Object now;
        try {
            now = fileKey(path);
        } catch (StopCapture e) {
            throw new StopCapture(describe(path) + " was deleted");
        }
        if (!fileKey.equals(now)) {
            throw new StopCapture(describe(path) + " was deleted or replaced");
        }
    }

    private static Object fileKey(Path p) throws StopCapture {
        if (p == null) {
            return null;
        }
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            throw new StopCapture(p + " was deleted");
        } catch (IOException e) {
            return null;
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    private static String describe(Path p) {
        return p == null ? "(file not decided yet)" : p.toString();
    }
}
