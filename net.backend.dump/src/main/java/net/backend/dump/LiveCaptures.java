package net.backend.dump;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.api.NetException;
import net.control.NetControl;
import net.control.Section;
import net.control.dto.FilterDTO;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Live captures started from the console or QMP. A capture is nothing but a {@code filter-dump}
 * object added through the control service, so it shows in {@code net:filters} and
 * {@code info network} like any filter and goes away with its netdev; this class only picks ids,
 * makes named pipes for Wireshark and removes them again.
 */
@Component(service = LiveCaptures.class)
public final class LiveCaptures {

    /** The file argument asking for a named pipe. */
    static final String PIPE = "-";
    private static final String ID_PREFIX = "capture";

    /**
     * One running capture.
     *
     * @param id     the filter object's id
     * @param netdev the netdev recorded
     * @param file   where it writes
     * @param pipe   whether {@code file} is a named pipe this class made (and removes)
     * @param access who may read that pipe; null for a file
     */
    public record Started(String id, String netdev, Path file, boolean pipe, PipeAccess access) {
    }

    /**
     * A capture as {@code net:capture} and {@code x-query-captures} list it.
     *
     * @param id       the filter object's id
     * @param netdev   the netdev recorded
     * @param file     where it writes
     * @param pipe     whether {@code file} is a named pipe made for it
     * @param state    {@code recording}, {@code reader left; waiting for the next},
     *                 {@code stopped: REASON}, or {@code deleted} once its filter is gone
     * @param counters the filter's counters that are not zero, e.g. {@code capture-no-reader}
     */
    public record Listed(String id, String netdev, String file, boolean pipe, String state,
            Map<String, Long> counters) {
    }

    private final NetControl control;
    private final Map<String, Started> running = new LinkedHashMap<>();
    private int next;

    /** @param control the runtime's control service */
    @Activate
    public LiveCaptures(@Reference NetControl control) {
        this.control = control;
    }

    /**
     * Starts recording a netdev, both directions.
     *
     * @param netdev the netdev id
     * @param file   a path, or {@value #PIPE} for a new named pipe in the temporary directory
     * @param maxlen the snap length, or null for 65536
     * @param access who may read the named pipe; null for {@link PipeAccess#OWNER} (only for a pipe)
     * @return the capture
     * @throws NetException DeviceNotFound for an unknown netdev; QEMU's filter-dump errors
     */
    public synchronized Started start(String netdev, String file, Long maxlen, PipeAccess access)
            throws NetException {
        control.client(netdev); // DeviceNotFound in QEMU's words before anything is made
        boolean pipe = PIPE.equals(file);
        if (access != null && !pipe) {
            throw NetException.generic("Parameters 'mode' and 'group' are only for a named pipe (file '-')");
        }
        PipeAccess readers = pipe && access == null ? PipeAccess.OWNER : access;
        Path path = pipe ? makePipe(netdev, readers) : Path.of(file).toAbsolutePath();
        while (true) {
            String id = ID_PREFIX + next++;
            Map<String, Object> args = new LinkedHashMap<>();
            args.put(Section.OBJECT.typeKey(), DumpFilterDriver.TYPE);
            args.put("id", id);
            args.put("netdev", netdev);
            args.put("file", path.toString());
            if (maxlen != null) {
                args.put("maxlen", maxlen);
            }
            try {
                control.add(Section.OBJECT, args);
            } catch (NetException e) {
                if (e.getMessage().contains("duplicate property '" + id + "'")) {
                    continue; // someone named an object like our captures: take the next number
                }
                if (pipe) {
                    removePipe(path);
                }
                throw e;
            }
            Started started = new Started(id, netdev, path, pipe, readers);
            running.put(id, started);
            return started;
        }
    }

    /**
     * Stops a capture: the filter is deleted (the file is complete and closed) and a pipe made for
     * it removed.
     *
     * @param id the capture id
     * @throws NetException when no capture has that id
     */
    public synchronized void stop(String id) throws NetException {
        Started started = running.remove(id);
        if (started == null) {
            throw NetException.generic("capture '%s' not found", id);
        }
        try {
            control.objectDel(id);
        } catch (NetException e) {
            // deleted already (object-del, or with its netdev): only the pipe is left to clean up
        } finally {
            if (started.pipe()) {
                removePipe(started.file());
            }
        }
    }

    /** @return the captures started here and not stopped, oldest first */
    public synchronized List<Started> list() {
        return new ArrayList<>(running.values());
    }

    /**
     * @return the captures started here and not stopped, oldest first, each with what its filter
     *         says now: a capture that stopped on an error stays listed until it is stopped here
     */
    public synchronized List<Listed> describe() {
        List<Listed> out = new ArrayList<>();
        for (Started c : running.values()) {
            FilterDTO f = filter(c);
            Map<String, Long> counters = new LinkedHashMap<>();
            String state;
            if (f == null) {
                state = "deleted"; // object-del, or its netdev went
            } else if (f.error() != null) {
                state = "stopped: " + f.error();
            } else {
                state = state(c, f.info());
                f.counters().forEach((name, n) -> {
                    if (n != 0) {
                        counters.put(name, n);
                    }
                });
            }
            out.add(new Listed(c.id(), c.netdev(), c.file().toString(), c.pipe(), state, counters));
        }
        return out;
    }

    private FilterDTO filter(Started c) {
        try {
            return control.client(c.netdev()).filters().stream().filter(f -> f.id().equals(c.id())).findFirst()
                    .orElse(null);
        } catch (NetException e) {
            return null;
        }
    }

    /** The filter's info is QEMU's {@code file=F,maxlen=N}, then {@code " (STATE)"} unless recording. */
    private static String state(Started c, String info) {
        String options = "file=" + c.file() + ",maxlen=";
        int open = info == null ? -1 : info.indexOf(" (", options.length());
        return open < 0 || !info.endsWith(")") ? "recording" : info.substring(open + 2, info.length() - 1);
    }

    /** Stops every capture when the bundle goes away. */
    @Deactivate
    public synchronized void close() {
        for (String id : List.copyOf(running.keySet())) {
            try {
                stop(id);
            } catch (NetException e) {
                // gone already
            }
        }
    }

    private static Path makePipe(String netdev, PipeAccess access) throws NetException {
        try {
            // Mode 0700: nobody else can reach the pipe until access.apply() gave it its final mode.
            Path dir = Files.createTempDirectory("patchbay-capture-");
            Path fifo = dir.resolve(netdev + ".pcap");
            Process mkfifo = new ProcessBuilder("mkfifo", "-m", "0600", fifo.toString())
                    .redirectErrorStream(true).start();
            if (!mkfifo.waitFor(5, TimeUnit.SECONDS)) {
                mkfifo.destroyForcibly();
                throw NetException.generic("mkfifo %s did not finish", fifo);
            }
            if (mkfifo.exitValue() != 0) {
                String out = new String(mkfifo.getInputStream().readAllBytes()).strip();
                Files.deleteIfExists(dir);
                throw NetException.generic("can't create named pipe %s: %s", fifo, out);
            }
            try {
                access.apply(fifo);
            } catch (NetException e) {
                removePipe(fifo);
                throw e;
            }
            return fifo;
        } catch (IOException e) {
            throw NetException.generic("can't create a named pipe: %s", CaptureFile.reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw NetException.generic("interrupted while creating a named pipe");
        }
    }

    private static void removePipe(Path fifo) {
        try {
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(fifo.getParent());
        } catch (IOException e) {
            // a leftover in the temporary directory is harmless
        }
    }
}
