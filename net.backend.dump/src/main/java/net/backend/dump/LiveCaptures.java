package net.backend.dump;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
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
     * @param id      the capture's id: its filter object's id, or with several netdevs the prefix
     *                of its filters' ids ({@code capture0-s0}, {@code capture0-s1})
     * @param netdevs the netdevs recorded
     * @param filters the filter objects recording them, in the same order
     * @param file    where it writes
     * @param pipe    whether {@code file} is a named pipe this class made (and removes)
     * @param access  who may read that pipe; null for a file
     * @param pcapng  whether it writes pcapng (one interface per netdev) rather than pcap
     */
    public record Started(String id, List<String> netdevs, List<String> filters, Path file, boolean pipe,
            PipeAccess access, boolean pcapng) {

        /** @return the netdevs as people write them: {@code s0,s1} */
        public String netdev() {
            return String.join(",", netdevs);
        }
    }

    /**
     * A capture as {@code net:capture} and {@code x-query-captures} list it.
     *
     * @param id       the capture's id
     * @param netdevs  the netdevs recorded
     * @param file     where it writes
     * @param pipe     whether {@code file} is a named pipe made for it
     * @param format   {@code pcap} or {@code pcapng}
     * @param state    {@code recording}, {@code waiting for a reader}, {@code reader left; waiting for the next},
     *                 {@code stopped: REASON}, or {@code deleted} once its filter is gone
     * @param counters the filter's counters that are not zero, e.g. {@code capture-no-reader}
     */
    public record Listed(String id, List<String> netdevs, String file, boolean pipe, String format, String state,
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
     * Starts recording netdevs, both directions, into one file.
     *
     * @param netdevs the netdev ids; several are written as pcapng, one interface each
     * @param file    a path, or {@value #PIPE} for a new named pipe in the temporary directory
     * @param maxlen  the snap length, or null for 65536
     * @param access  who may read the named pipe; null for {@link PipeAccess#OWNER} (only for a pipe)
     * @param format  {@code pcap} or {@code pcapng}; null for pcap with one netdev, pcapng with several
     * @return the capture
     * @throws NetException DeviceNotFound for an unknown netdev; QEMU's filter-dump errors
     */
    public synchronized Started start(List<String> netdevs, String file, Long maxlen, PipeAccess access,
            String format) throws NetException {
        if (netdevs.isEmpty()) {
            throw NetException.generic("Parameter 'netdev' is missing");
        }
        for (String netdev : netdevs) {
            control.client(netdev); // DeviceNotFound in QEMU's words before anything is made
        }
        if (new HashSet<>(netdevs).size() < netdevs.size()) {
            throw NetException.generic("Parameter 'netdevs' names a netdev twice");
        }
        boolean pcapng = format == null ? netdevs.size() > 1 : DumpFilterDriver.pcapng(format);
        if (!pcapng && netdevs.size() > 1) {
            // pcap has no interfaces: the netdevs' filters would each write the file from its start
            throw NetException.generic("Parameter 'format' expects pcapng for several netdevs");
        }
        boolean pipe = PIPE.equals(file);
        if (access != null && !pipe) {
            throw NetException.generic("Parameters 'mode' and 'group' are only for a named pipe (file '-')");
        }
        PipeAccess readers = pipe && access == null ? PipeAccess.OWNER : access;
        Path path = pipe ? makePipe(String.join("+", netdevs) + (pcapng ? ".pcapng" : ".pcap"), readers)
                : Path.of(file).toAbsolutePath();
        while (true) {
            String id = ID_PREFIX + next++;
            List<String> filters = new ArrayList<>();
            try {
                for (String netdev : netdevs) {
                    String filter = netdevs.size() == 1 ? id : id + "-" + netdev;
                    control.add(Section.OBJECT, filterArgs(filter, netdev, path, maxlen, pcapng));
                    filters.add(filter);
                }
            } catch (NetException e) {
                deleteFilters(filters);
                if (e.getMessage().contains("duplicate property '" + id)) {
                    continue; // someone named an object like our captures: take the next number
                }
                if (pipe) {
                    removePipe(path);
                }
                throw e;
            }
            Started started = new Started(id, List.copyOf(netdevs), List.copyOf(filters), path, pipe, readers, pcapng);
            running.put(id, started);
            return started;
        }
    }

    private static Map<String, Object> filterArgs(String id, String netdev, Path file, Long maxlen, boolean pcapng) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put(Section.OBJECT.typeKey(), DumpFilterDriver.TYPE);
        args.put("id", id);
        args.put("netdev", netdev);
        args.put("file", file.toString());
        if (maxlen != null) {
            args.put("maxlen", maxlen);
        }
        if (pcapng) {
            args.put("format", DumpFilterDriver.PCAPNG);
        }
        return args;
    }

    /** Deletes filters; one deleted already (object-del, or with its netdev) is left alone. */
    private void deleteFilters(List<String> filters) {
        for (String filter : filters) {
            try {
                control.objectDel(filter);
            } catch (NetException e) {
                // gone already
            }
        }
    }

    /**
     * Stops a capture: its filters are deleted (the file is complete and closed) and a pipe made
     * for it removed.
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
            deleteFilters(started.filters());
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
            // The filters share one file and its writer: the first one still there tells the state.
            Map<String, Long> counters = new LinkedHashMap<>();
            String state = null;
            for (int i = 0; i < c.filters().size(); i++) {
                FilterDTO f = filter(c.netdevs().get(i), c.filters().get(i));
                if (f == null) {
                    continue;
                }
                if (state == null) {
                    state = f.error() != null ? "stopped: " + f.error() : state(c, f.info());
                }
                f.counters().forEach((name, n) -> {
                    if (n != 0) {
                        counters.merge(name, n, Long::sum);
                    }
                });
            }
            out.add(new Listed(c.id(), c.netdevs(), c.file().toString(), c.pipe(),
                    c.pcapng() ? DumpFilterDriver.PCAPNG : DumpFilterDriver.PCAP,
                    state == null ? "deleted" : state, counters)); // deleted: object-del, or its netdev went
        }
        return out;
    }

    private FilterDTO filter(String netdev, String id) {
        try {
            return control.client(netdev).filters().stream().filter(f -> f.id().equals(id)).findFirst().orElse(null);
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

    private static Path makePipe(String name, PipeAccess access) throws NetException {
        try {
            // Mode 0700: nobody else can reach the pipe until access.apply() gave it its final mode.
            Path dir = Files.createTempDirectory("patchbay-capture-");
            Path fifo = dir.resolve(name);
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
