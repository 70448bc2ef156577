package launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleRevision;

/**
 * Felix with the bundles embedded under {@code bundles/} in the launcher's jar that the embedded
 * {@code patchbay.bndrun} resolved ({@link RunBundles}), its storage in a
 * fresh temporary directory that is deleted when it stops ({@link FrameworkStorage}), begun as a
 * copy of the jar's installed run set when an earlier start kept one ({@link InstalledBundles}).
 */
final class EmbeddedFramework {

    /** Started last, once everything it may deploy can be served. */
    static final String FILEINSTALL = "org.apache.felix.fileinstall";
    /** The console; started only on request, after the banner. */
    static final String CONSOLE = "org.apache.felix.gogo.jline";

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STARTUP_HOLD = Duration.ofSeconds(120);

    private final Framework framework;
    private final FrameworkStorage storage;
    /** Where the run set is kept installed for this jar's next starts, if anywhere. */
    private final Optional<InstalledBundles> template;
    /** Whether the storage began as a copy of {@link #template}, the run set in it. */
    private final boolean copied;

    private EmbeddedFramework(Framework framework, FrameworkStorage storage, Optional<InstalledBundles> template,
            boolean copied) {
        this.framework = framework;
        this.storage = storage;
        this.template = template;
        this.copied = copied;
    }

    /**
     * Creates and initialises the framework; no bundle is installed yet, unless this jar's run set
     * was kept installed ({@link InstalledBundles}).
     *
     * @param options the launcher's options
     * @return the framework
     * @throws IOException     when the storage directory cannot be made
     * @throws BundleException when Felix cannot initialise
     */
    static EmbeddedFramework init(LauncherOptions options) throws IOException, BundleException {
        Optional<InstalledBundles> template = InstalledBundles.of(launcher());
        FrameworkStorage storage = FrameworkStorage.create();
        Path felix = storage.directory().resolve("felix");
        boolean copied = template.isPresent() && template.get().copyTo(felix);
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, felix.toString());
        if (!copied) {
            props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        }
        props.put("felix.fileinstall.dir", options.deploy().toAbsolutePath().toString());
        // Every 2 s: each look at the folder costs an idle Patchbay CPU (at 500 ms it was a third of
        // its idle time), and a file dropped in is no request that waits for an answer.
        props.put("felix.fileinstall.poll", "2000");
        // Names beginning with a dot are not configuration: the deploy lock, editors' swap files.
        props.put("felix.fileinstall.filter", "[^.].*");
        props.put("felix.fileinstall.noInitialDelay", "true");
        props.put("felix.fileinstall.log.level", "2");
        // Its own temporary files go with the storage, so a killed instance leaves nothing of them.
        props.put("felix.fileinstall.tmpdir", storage.directory().resolve("fileinstall").toString());
        // FileInstall writes a configuration back to its file whenever it changes, truncating the
        // file first; a scan in that moment reads it empty and applies that (a netdev file without
        // its type). Nothing but the files changes these configurations, so nothing is written.
        props.put("felix.fileinstall.enableConfigSave", "false");
        // The console's profile and greeting come from here (see Console), not from the bundle.
        props.put("gosh.home", storage.directory().resolve("gosh").toString());
        props.put("patchbay.log.stderr", "true");
        // net.hub reads no netdev until the command line is applied (net.qmp's CommandLine ends
        // the hold); the bound is above the longest the command line may take (its waits).
        props.put("patchbay.startup.hold", String.valueOf(STARTUP_HOLD.toSeconds()));
        props.put("org.osgi.service.log.admin.loglevel", options.verbose() ? "DEBUG" : "INFO");
        props.put("ds.loglevel", options.verbose() ? "debug" : "warn");
        // EventAdmin writes to stdout when the log service is already gone, as in a framework
        // stopped right after start (`-netdev help`): its warnings then corrupt the listing.
        props.put("org.apache.felix.eventadmin.LogLevel", options.verbose() ? "4" : "1");
        // Felix HTTP listens on 8080 unless told otherwise: here it listens only where -http says.
        props.put(HttpEndpoint.ENABLE, "false");
        // Jetty logs through SLF4J to pax-logging-api's fallback, which writes to stdout: only errors
        // there (warnings too with --verbose), and java.util.logging is left alone. It reads the
        // level before the framework's properties are there: system properties it is.
        System.setProperty("org.ops4j.pax.logging.DefaultServiceLog.level", options.verbose() ? "WARN" : "ERROR");
        System.setProperty("org.ops4j.pax.logging.skipJUL", "true");
        if (options.http() != null) {
            options.http().configure(props);
        }
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, EmbeddedFramework.class.getClassLoader())
                .findFirst().orElseThrow(() -> new IllegalStateException("no OSGi framework in the launcher"));
        EmbeddedFramework embedded = new EmbeddedFramework(factory.newFramework(props), storage, template, copied);
        try {
            embedded.framework.init();
        } catch (BundleException | RuntimeException e) {
            storage.close();
            throw e;
        }
        return embedded;
    }

    /** @return the system bundle's context */
    BundleContext context() {
        return framework.getBundleContext();
    }

    /** @return the storage directory, removed when the framework stops */
    Path storage() {
        return storage.directory();
    }

    /**
     * Installs every embedded bundle, unless the storage came with them, and starts them in the
     * order they were installed, FileInstall last (its first scan of the deploy directory happens
     * while it starts). The console bundle is installed, not started.
     *
     * @throws BundleException naming the bundle that failed
     * @throws IOException     when the embedded bundles cannot be read
     */
    void start() throws BundleException, IOException {
        // jline finds its terminal providers through the context class loader unless it is null,
        // and the console thread inherits it from here.
        Thread.currentThread().setContextClassLoader(null);
        framework.start();
        List<Bundle> bundles;
        if (copied) {
            bundles = Stream.of(context().getBundles()).filter(b -> b.getBundleId() != 0)
                    .sorted(Comparator.comparingLong(Bundle::getBundleId)).toList();
        } else {
            bundles = installEmbedded();
            template.ifPresent(kept -> kept.keep(storage.directory().resolve("felix")));
        }
        for (Bundle b : bundles) {
            if (!isFragment(b) && !FILEINSTALL.equals(b.getSymbolicName()) && !CONSOLE.equals(b.getSymbolicName())) {
                start(b);
            }
        }
        start(bundle(FILEINSTALL));
    }

    /**
     * Starts a bundle.
     *
     * @param bundle the bundle
     * @throws BundleException naming it
     */
    void start(Bundle bundle) throws BundleException {
        try {
            bundle.start();
        } catch (BundleException e) {
            throw new BundleException("cannot start " + bundle.getSymbolicName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param symbolicName a bundle symbolic name
     * @return the bundle
     * @throws BundleException when it is not installed
     */
    Bundle bundle(String symbolicName) throws BundleException {
        for (Bundle b : context().getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new BundleException("bundle " + symbolicName + " is not installed");
    }

    /**
     * Waits until the framework stops, by {@link #stop()} or from inside (the console's {@code stop
     * 0} or end of input).
     *
     * @throws InterruptedException when interrupted
     */
    void awaitStop() throws InterruptedException {
        framework.waitForStop(0);
        storage.close();
    }

    /** Stops the framework, waits a bounded time, and removes its storage. Safe to repeat. */
    void stop() {
        try {
            if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
                framework.stop();
            }
            framework.waitForStop(STOP_TIMEOUT.toMillis());
        } catch (BundleException e) {
            System.err.println("patchbay: stopping: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        storage.close();
    }

    private List<Bundle> installEmbedded() throws IOException, BundleException {
        List<Bundle> installed = new ArrayList<>();
        Path self = launcher();
        try (FileSystem jar = Files.isDirectory(self) ? null : FileSystems.newFileSystem(self)) {
            Path root = jar == null ? self : jar.getPath("/");
            Path dir = root.resolve("bundles");
            RunBundles run;
            try (InputStream in = Files.newInputStream(root.resolve(RunBundles.FILE))) {
                run = RunBundles.read(in);
            }
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            }
            // Exactly the resolved run set: what the build resolved is what runs.
            Set<RunBundles.Entry> missing = new LinkedHashSet<>(run.entries());
            for (Path file : files) {
                RunBundles.Entry entry = run.entryOf(file);
                if (entry != null && missing.remove(entry)) {
                    try (InputStream in = Files.newInputStream(file)) {
                        installed.add(context().installBundle("patchbay:bundles/" + file.getFileName(), in));
                    }
                }
            }
            if (!missing.isEmpty()) {
                throw new IOException("the launcher jar lacks bundles of its run set: " + missing);
            }
        }
        return installed;
    }

    /** @return the launcher's jar, or its classes directory when it runs from one (tests) */
    private static Path launcher() throws IOException {
        CodeSource source = EmbeddedFramework.class.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null) {
            try {
                return Path.of(source.getLocation().toURI());
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IOException("cannot locate the launcher jar: " + source.getLocation(), e);
            }
        }
        // JDK 25 gives classes from an AOT cache no location when the cache was made with the jar
        // at a relative path and runs with it elsewhere; -jar puts the jar on the class path alone.
        String classPath = System.getProperty("java.class.path", "");
        if (!classPath.isEmpty() && !classPath.contains(File.pathSeparator) && Files.exists(Path.of(classPath))) {
            return Path.of(classPath).toAbsolutePath();
        }
        throw new IOException("cannot locate the launcher jar (no code source, class path " + classPath + ")");
    }

    private static boolean isFragment(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }
}
