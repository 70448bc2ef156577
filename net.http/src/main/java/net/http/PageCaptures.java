package net.http;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.api.NetException;
import net.control.qmp.QmpCommand;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The captures started from the page: one pcap file per netdev, in a directory of this bundle's
 * own that goes when the bundle stops, recorded by net.backend.dump's {@code x-capture-start} and
 * ended by its {@code x-capture-stop} (called as their QMP command services, so the page works
 * without that bundle and only loses the capture). A file is kept for download until the next
 * capture of its netdev; one that reaches {@value #LIMIT} bytes is stopped there.
 */
@Component(service = PageCaptures.class)
public final class PageCaptures {

    /** The most a page's capture file may grow to: 64 MiB. */
    static final long LIMIT = 64L << 20;

    /** What the page shows of one netdev's capture. */
    record Capture(String state, long bytes, String reason) {
    }

    /**
     * @param available whether captures can be started now
     * @param reason    why not, else null
     * @param netdevs   the captures, running or stopped with their file kept, by netdev
     */
    record State(boolean available, String reason, Map<String, Capture> netdevs) {
    }

    private record Running(String id, Path file) {
    }

    @Reference(service = QmpCommand.class, target = "(" + QmpCommand.NAME + "=x-capture-start)",
            cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile QmpCommand<?> start;

    private volatile QmpCommand<?> stop;

    private final Path directory;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final Map<String, Capture> stopped = new LinkedHashMap<>();
    private final ScheduledExecutorService limit = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("patchbay-http-captures").daemon().factory());

    /**
     * @param context the bundle's context, whose data area holds the recordings
     * @throws IOException when there is no directory for them
     */
    @Activate
    public PageCaptures(BundleContext context) throws IOException {
        // In the bundle's data area, which is part of the framework's storage: it goes when
        // Patchbay stops, and after a kill with the next start's clean-up, where a directory of
        // its own in /tmp stayed for good (deactivate never ran).
        File data = context.getDataFile("captures");
        directory = data != null ? Files.createDirectories(data.toPath())
                : Files.createTempDirectory("patchbay-http-captures");
        limit.scheduleWithFixedDelay(this::enforceLimit, 1, 1, TimeUnit.SECONDS);
    }

    @Deactivate
    synchronized void deactivate() throws IOException {
        limit.shutdownNow();
        for (String netdev : running.keySet().toArray(String[]::new)) {
            try {
                stop(netdev, "the HTTP bundle stopped");
            } catch (NetException e) {
                // Its netdev may be gone already; the file goes below either way.
            }
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Reference(service = QmpCommand.class, target = "(" + QmpCommand.NAME + "=x-capture-stop)",
            cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindStop(QmpCommand<?> command) {
        stop = command;
    }

    /**
     * net.backend.dump left: its captures ended with it (their filters wait for it, and are no
     * longer this page's to stop), so their files are what there is to download.
     */
    synchronized void unbindStop(QmpCommand<?> command) {
        if (stop != command) {
            return;
        }
        stop = null;
        running.forEach((netdev, r) -> stopped.put(netdev,
                new Capture("stopped", size(r.file()), "net.backend.dump stopped")));
        running.clear();
    }

    /** @return what the page shows */
    synchronized State state() {
        Map<String, Capture> netdevs = new LinkedHashMap<>(stopped);
        running.forEach((netdev, r) -> netdevs.put(netdev, new Capture("recording", size(r.file()), null)));
        String reason = start == null || stop == null
                ? "Capturing needs the net.backend.dump bundle, which is not running" : null;
        return new State(reason == null, reason, netdevs);
    }

    /**
     * @param netdev a netdev's id
     * @throws NetException QEMU-style: the bundle is missing, it is being captured already, or
     *                      {@code x-capture-start}'s own error
     */
    synchronized void start(String netdev) throws NetException {
        QmpCommand<?> command = start;
        if (command == null || stop == null) {
            throw NetException.generic("Capturing needs the net.backend.dump bundle, which is not running");
        }
        if (running.containsKey(netdev)) {
            throw NetException.generic("Netdev '%s' is being captured already", netdev);
        }
        Path file = directory.resolve(netdev + ".pcap");
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw NetException.generic("Could not remove '%s': %s", file, e.getMessage());
        }
        stopped.remove(netdev);
        Object reply = execute(command, Map.of("netdev", netdev, "file", file.toString()));
        String id = reply instanceof Map<?, ?> m && m.get("id") instanceof String s ? s : null;
        if (id == null) {
            throw NetException.generic("x-capture-start returned no capture id");
        }
        running.put(netdev, new Running(id, file));
    }

    /**
     * @param netdev a netdev being captured
     * @throws NetException when it is not, or {@code x-capture-stop}'s error
     */
    synchronized void stop(String netdev) throws NetException {
        stop(netdev, null);
    }

    private void stop(String netdev, String reason) throws NetException {
        Running r = running.get(netdev);
        if (r == null) {
            throw NetException.generic("Netdev '%s' is not being captured", netdev);
        }
        QmpCommand<?> command = stop;
        running.remove(netdev);
        try {
            if (command == null) {
                throw NetException.generic("Capturing needs the net.backend.dump bundle, which is not running");
            }
            execute(command, Map.of("id", r.id()));
        } finally {
            // Whatever was written is kept for download, even when the capture had ended already.
            stopped.put(netdev, new Capture("stopped", size(r.file()), reason));
        }
    }

    /**
     * @param netdev a netdev
     * @return its stopped capture's complete file, or null when there is none
     */
    synchronized Path file(String netdev) {
        return stopped.containsKey(netdev) ? directory.resolve(netdev + ".pcap") : null;
    }

    private synchronized void enforceLimit() {
        for (Map.Entry<String, Running> e : Map.copyOf(running).entrySet()) {
            if (size(e.getValue().file()) >= LIMIT) {
                try {
                    stop(e.getKey(), "reached " + (LIMIT >> 20) + " MiB");
                } catch (NetException | RuntimeException x) {
                    // Its netdev went meanwhile: the capture ended with it.
                }
            }
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @SuppressWarnings("unchecked")
    private static Object execute(QmpCommand<?> command, Map<String, Object> arguments) throws NetException {
        QmpCommand<Object> c = (QmpCommand<Object>) command;
        return c.execute(HttpJson.ARGUMENTS.convertValue(arguments, c.argumentsType()));
    }
}
