package launcher;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * Patchbay's entry point: checks the command line, starts the embedded framework, applies the
 * network options through net.qmp's command-line front end (which ends the runtime's start-up
 * hold), prints QEMU's start-up warnings and a banner, and runs until the console quits or a
 * signal arrives. {@code -netdev help} (and {@code -object}/{@code -device help}) lists the
 * installed types instead and exits 0. Exit code 0 after a clean stop, 1 for any error, which is
 * one line on stderr.
 */
public final class Main {

    /** The bundle holding the front ends the launcher calls into. */
    private static final String FRONT_ENDS = "net.qmp";
    /** How long the HTTP server may take to listen once the framework runs. */
    private static final Duration HTTP_START = Duration.ofSeconds(10);

    /** Set before an exit the launcher chose itself, so the shutdown hook leaves the code alone. */
    private static volatile boolean exiting;
    /** Set when a signal stops the framework, so start-up steps it cuts short stay quiet. */
    private static volatile boolean signalled;

    private final LauncherOptions options;
    /** Whether this start made the deploy directory, which the banner then says. */
    private boolean createdDeploy;
    /** This process's claim on the deploy directory, held while it lives. */
    private DeployLock lock;
    /** Whether start-up ended and Patchbay ran. */
    private boolean running;

    private Main(LauncherOptions options) {
        this.options = options;
    }

    /**
     * @param args the command line; see {@code --help}
     */
    public static void main(String[] args) {
        StartDescriptors.record();
        LauncherOptions options;
        try {
            options = LauncherOptions.parse(List.of(args));
        } catch (UsageException e) {
            System.err.println("patchbay: " + e.getMessage());
            exit(1);
            return;
        }
        if (options.help()) {
            System.out.print(Usage.text());
        } else if (options.version()) {
            System.out.println(Usage.version());
        } else {
            exit(new Main(options).run());
        }
    }

    private static void exit(int code) {
        exiting = true;
        System.out.flush();
        System.exit(code);
    }

    private int run() {
        try {
            if (Files.exists(options.deploy()) && !Files.isDirectory(options.deploy())) {
                System.err.println("patchbay: --deploy " + options.deploy() + ": Not a directory");
                return 1;
            }
            if (!Files.isDirectory(options.deploy())) {
                Files.createDirectories(options.deploy());
                createdDeploy = true;
            }
        } catch (IOException e) {
            System.err.println("patchbay: --deploy " + options.deploy() + ": " + reason(e));
            return 1;
        }
        // A listing of the types changes nothing: it may look at a directory another one runs on.
        if (options.network().stream().noneMatch(TypeHelp::asksForList)) {
            if (options.http() != null) {
                try {
                    options.http().checkFree();
                } catch (UsageException e) {
                    System.err.println("patchbay: " + e.getMessage());
                    return 1;
                }
            }
            try {
                lock = DeployLock.take(options.deploy(), options.qmp());
            } catch (UsageException e) {
                System.err.println("patchbay: " + e.getMessage());
                return 1;
            } catch (IOException e) {
                System.err.println("patchbay: --deploy " + options.deploy() + ": " + reason(e));
                return 1;
            }
        }
        int code = runIn();
        if (createdDeploy && !running) {
            // A start that ended before running leaves no directory behind it.
            try {
                if (lock != null) {
                    lock.close();
                    Files.deleteIfExists(options.deploy().resolve(DeployLock.NAME));
                }
                Files.deleteIfExists(options.deploy());
            } catch (IOException e) {
                // not empty any more, or not ours to remove: it stays
            }
        }
        return code;
    }

    private int runIn() {
        EmbeddedFramework framework;
        try {
            framework = EmbeddedFramework.init(options);
        } catch (IOException | BundleException e) {
            System.err.println("patchbay: cannot set up the OSGi framework: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> onSignal(framework), "patchbay-shutdown"));
        try {
            framework.start();
            DriverTypes types = DriverTypes.of(framework.context(), options.deploy());
            List<NetworkOption> network = options.network();
            for (int i = 0; i < network.size(); i++) {
                if (TypeHelp.asksForList(network.get(i))) {
                    // As QEMU: the options before it are checked, then the list, and nothing starts.
                    types.check(network.subList(0, i));
                    System.out.print(TypeHelp.list(network.get(i), types));
                    System.err.println(TypeHelp.deployNote(types));
                    framework.stop();
                    return 0;
                }
            }
            types.check(network);
            Bundle frontEnds = framework.bundle(FRONT_ENDS);
            List<String> groups = new java.util.ArrayList<>(options.network().stream().map(NetworkOption::toString).toList());
            options.qmp().forEach(address -> groups.add("-qmp " + address));
            String error = Main.<Function<List<String>, String>>frontEnd(frontEnds, "net.qmp.cli.CommandLine")
                    .apply(groups);
            if (error != null) {
                throw new UsageException(error);
            }
            for (String warning : Main.<Supplier<List<String>>>frontEnd(frontEnds, "net.qmp.cli.StartupWarnings").get()) {
                System.err.println("patchbay: warning: " + warning);
            }
            String summary = Main.<Supplier<String>>frontEnd(frontEnds, "net.qmp.cli.Summary").get();
            String httpUrl = options.http() == null ? null : options.http().awaitUrl(framework.context(), HTTP_START);
            running = true;
            System.out.print(Banner.text(summary, options, createdDeploy, httpUrl));
            System.out.flush();
            if (options.console()) {
                Console.start(framework);
            }
            framework.awaitStop();
            return 0;
        } catch (UsageException | BundleException | IOException | ReflectiveOperationException e) {
            System.err.println("patchbay: " + e.getMessage());
        } catch (IllegalStateException e) {
            // A stopped framework invalidates the contexts the start-up steps use.
            if (!signalled) {
                System.err.println("patchbay: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        framework.stop();
        return 1;
    }

    /** The operating system's words for a failed file operation, as far as Java keeps them. */
    private static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e instanceof AccessDeniedException ? "Permission denied" : e.toString();
    }

    /**
     * A signal (SIGTERM, SIGINT) ends the process here: stop cleanly, then exit 0, which the JVM
     * would otherwise turn into 128 + the signal number.
     */
    private static void onSignal(EmbeddedFramework framework) {
        if (exiting) {
            return;
        }
        signalled = true;
        tellQmpClients(framework);
        framework.stop();
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }

    /** As QEMU does on a signal: QMP clients get {@code SHUTDOWN} before their sessions close. */
    private static void tellQmpClients(EmbeddedFramework framework) {
        try {
            Main.<Runnable>frontEnd(framework.bundle(FRONT_ENDS), "net.qmp.cli.HostSignal").run();
        } catch (BundleException | ReflectiveOperationException | RuntimeException e) {
            // Not started yet, or stopped already: no client to tell. Nothing here may keep
            // Patchbay from stopping.
        }
    }

    /**
     * Instantiates a front-end class from inside the framework, handing it its bundle's context;
     * it is seen here only through the JDK interface it implements.
     */
    @SuppressWarnings("unchecked")
    private static <T> T frontEnd(Bundle bundle, String className) throws ReflectiveOperationException {
        return (T) bundle.loadClass(className).getConstructor(BundleContext.class).newInstance(bundle.getBundleContext());
    }
}
