package net.backend.dump;

import java.nio.file.Path;
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

    /**
     * @param ringSize the per-capture ring, a power of two
     * @param outputs  where captures may be written
     */
    CaptureFactory(int ringSize, OutputFiles outputs) {
        this.ringSize = ringSize;
        this.outputs = outputs;
    }

    /**
     * Opens the file (when known) and starts the writer. Call on the loop, in {@code open}.
     *
     * @param who      the recorder
     * @param path     the file, or null while it is not decided (then {@code held})
     * @param held     whether the writer waits for {@link Capture#release} or {@link Capture#refuse}
     * @param snaplen  the most bytes stored per frame, as an unsigned 32-bit value
     * @param cantOpen QEMU's error for a file that cannot be opened, given the system's reason
     * @return the running capture
     * @throws NetException from {@code cantOpen}, or {@link OutputFiles#check}'s for a file in the
     *                      deploy directory
     */
    Capture start(Recorder who, Path path, boolean held, int snaplen, Function<String, NetException> cantOpen)
            throws NetException {
        int fd = CaptureFile.NOT_OPEN;
        if (path != null) {
            outputs.check(path.toString());
            try {
                fd = CaptureFile.openNow(path);
            } catch (PosixException e) {
                throw cantOpen.apply(e.getMessage());
            }
        }
        Capture capture = new Capture(who.id(), snaplen, ringSize, who.log(), who.dropped(), who.noReader(),
                // The context belongs to the loop; the writer thread hands the event over.
                (file, reason) -> who.loop().execute(() -> who.events().accept(CaptureEvents.STOPPED,
                        CaptureEvents.stopped(who.id(), who.netdev(), file, reason))),
                path, fd, held);
        capture.start();
        return capture;
    }
}
