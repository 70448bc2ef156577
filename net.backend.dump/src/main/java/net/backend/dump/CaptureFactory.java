package net.backend.dump;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.NetEventLoop;
import net.api.NetException;
import net.api.NetFilterContext;
import net.driverkit.OutputFiles;
import net.posix.PosixException;

/**
 * Starts the capture of a {@code dump} netdev or a {@code filter-dump} alike, on the event loop:
 * the file is opened at once without blocking (so a bad path fails the command, as in QEMU), the
 * writer thread takes it from there, and a stop is reported as {@link CaptureEvents#STOPPED}.
 */
final class CaptureFactory {

    /**
     * Who records, taken from the driver's context.
     *
     * @param id      the filter object or dump netdev
     * @param netdev  the netdev recorded
     * @param loop    its event loop, where the stop event is sent from
     * @param log     where reasons go
     * @param dropped counts frames not recorded because the writer was behind
     * @param noReader counts frames not recorded because a FIFO's reader had left
     * @param events  the context's event method (loop only)
     */
    record Recorder(String id, String netdev, NetEventLoop loop, System.Logger log, NetCounter dropped,
            NetCounter noReader, BiConsumer<String, Map<String, Object>> events) {

        static Recorder of(NetClientContext context) {
            return new Recorder(context.id(), context.id(), context.loop(), context.logger(),
                    context.dropCounter(DumpFilterDriver.DROPPED),
                    context.dropCounter(DumpFilterDriver.NO_READER), context::event);
        }

        static Recorder of(NetFilterContext context) {
            return new Recorder(context.id(), context.netdev(), context.loop(), context.logger(),
                    context.counter(DumpFilterDriver.DROPPED),
                    context.counter(DumpFilterDriver.NO_READER), context::event);
        }
    }

    private final int ringSize;
    private final OutputFiles outputs;
    /** pcapng captures by file, which other filters into the same file join. */
    private final Map<Path, Capture> shared = new HashMap<>();

    /**
     * @param ringSize the per-capture ring, a power of two
     * @param outputs  where captures may be written
     */
    CaptureFactory(int ringSize, OutputFiles outputs) {
        this.ringSize = ringSize;
        this.outputs = outputs;
    }

    /**
     * Opens the file (when known) and starts the writer, or joins the pcapng capture already
     * writing that file. Call on the loop, in {@code open}.
     *
     * @param who      the recorder
     * @param path     the file, or null while it is not decided (then {@code held})
     * @param held     whether the writer waits for {@link Capture#release} or {@link Capture#refuse}
     * @param pcapng   pcapng (one interface per recorder, shared by recorders of one file) or pcap
     * @param snaplen  the most bytes stored per frame, as an unsigned 32-bit value
     * @param cantOpen QEMU's error for a file that cannot be opened, given the system's reason
     * @return the recorder's place in the running capture
     * @throws NetException from {@code cantOpen}, or {@link OutputFiles#check}'s for a file in the
     *                      deploy directory
     */
    Capture.Member start(Recorder who, Path path, boolean held, boolean pcapng, int snaplen,
            Function<String, NetException> cantOpen) throws NetException {
        if (path != null) {
            outputs.check(path.toString());
        }
        if (!pcapng || path == null) {
            return open(who, path, held, false, snaplen, cantOpen).first();
        }
        Path key = path.toAbsolutePath().normalize();
        synchronized (shared) { // filters of one file may open on different loops at once
            shared.values().removeIf(Capture::isClosing);
            Capture running = shared.get(key);
            Capture.Member joined = running == null ? null
                    : running.join(who.id(), who.netdev(), snaplen, who.dropped(), who.noReader(), listener(who));
            if (joined != null) {
                return joined;
            }
            Capture capture = open(who, path, held, true, snaplen, cantOpen);
            shared.put(key, capture);
            return capture.first();
        }
    }

    private Capture open(Recorder who, Path path, boolean held, boolean pcapng, int snaplen,
            Function<String, NetException> cantOpen) throws NetException {
        int fd = CaptureFile.NOT_OPEN;
        if (path != null) {
            try {
                fd = CaptureFile.openNow(path);
            } catch (PosixException e) {
                throw cantOpen.apply(e.getMessage());
            }
        }
        Capture capture = new Capture(who.id(), who.netdev(), pcapng, snaplen, ringSize, who.log(), who.dropped(),
                who.noReader(), listener(who), path, fd, held);
        capture.start();
        return capture;
    }

    private static Capture.Listener listener(Recorder who) {
        // The context belongs to the loop; the writer thread hands the event over.
        return (file, reason) -> who.loop().execute(() -> who.events().accept(CaptureEvents.STOPPED,
                CaptureEvents.stopped(who.id(), who.netdev(), file, reason)));
    }
}
