package net.qmp.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.api.NetException;
import net.control.NetControl;
import net.control.Section;
import net.control.qmp.QmpService;
import net.control.dto.NetworkDTO;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The command-line front end: waits until the configurations FileInstall made of {@code deploy/*.cfg}
 * at start are taken up (their netdevs declared), makes the {@code -chardev} options' chardevs
 * (net.chardev), applies the launcher's {@code -netdev}, {@code -net}, {@code -object} and
 * {@code -device} options, in order, through {@link NetControl#declare}, waits until each one runs,
 * opens the {@code -qmp} endpoints, and only then ends start-up ({@link NetControl#startupComplete}):
 * no frame is read before all of it is in place, as QEMU builds its whole command line before its
 * main loop polls anything. The launcher lives outside the framework and calls this through JDK
 * types only.
 *
 * <p>Input: one string per option, e.g. {@code "-netdev socket,id=s0,listen=:1"}. Output: null
 * when every option runs, else one line in QEMU's style, {@code <option> <value>: <message>}.
 */
public final class CommandLine implements Function<List<String>, String> {

    /** How long to wait for the control service, and then for the drivers of the options. */
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final long POLL_MILLIS = 50;
    private static final String QMP = "-qmp ";

    private final BundleContext context;

    /** @param context the context to find {@link NetControl} with (the launcher passes net.qmp's) */
    public CommandLine(BundleContext context) {
        this.context = context;
    }

    @Override
    public String apply(List<String> options) {
        ServiceTracker<NetControl, NetControl> tracker = new ServiceTracker<>(context, NetControl.class, null);
        tracker.open();
        try {
            NetControl control = tracker.waitForService(WAIT.toMillis());
            if (control == null) {
                return "the network runtime (net.hub) did not start within " + WAIT.toSeconds() + " s";
            }
            awaitConfigurations();
            List<Declared> declared = new ArrayList<>();
            List<String> qmp = new ArrayList<>();
            List<OptionGroup> network = new ArrayList<>();
            List<OptionGroup> chardevs = new ArrayList<>();
            for (String option : options) {
                if (option.startsWith(QMP)) {
                    qmp.add(option.substring(QMP.length()));
                    continue;
                }
                OptionGroup group = OptionGroup.parse(option);
                (group.section() == Section.CHARDEV ? chardevs : network).add(group);
            }
            if (!chardevs.isEmpty()) {
                String error = chardevs(chardevs);
                if (error != null) {
                    return error;
                }
            }
            for (OptionGroup group : network) {
                try {
                    Map<String, Object> arguments = group.arguments();
                    boolean nic = group.section() == Section.DEVICE
                            || group.section() == Section.NET && "nic".equals(arguments.get("type"));
                    declared.add(new Declared(group, control.declare(group.section(), arguments), nic));
                } catch (NetException e) {
                    return errorLine(group.toString(), e.getMessage());
                }
            }
            String error = awaitRunning(control, declared);
            if (error == null && !qmp.isEmpty()) {
                error = openQmp(qmp);
            }
            if (error == null) {
                control.startupComplete();
            }
            return error;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while applying the command line";
        } finally {
            tracker.close();
        }
    }

    /** The chardevs first, as QEMU makes them before netdevs and objects that name them. */
    private String chardevs(List<OptionGroup> chardevs) throws InterruptedException {
        try {
            return ChardevOptions.apply(context, chardevs, WAIT);
        } catch (NoClassDefFoundError e) {
            return chardevs.get(0) + ": chardevs need the net.chardev bundle, which is not installed";
        }
    }

    /**
     * Waits, at most {@link #WAIT}, until the components configured by ConfigAdmin have taken up
     * every configuration it holds; after that start-up goes on regardless (such a netdev then
     * comes up late, as one added at run time).
     */
    private void awaitConfigurations() throws InterruptedException {
        AppliedConfigurations configurations = new AppliedConfigurations(context);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (configurations.waitingFor() != null && System.nanoTime() - deadline < 0) {
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Opens the QMP endpoints once the network runs; the first that fails is the answer. */
    private String openQmp(List<String> addresses) throws InterruptedException {
        ServiceTracker<QmpService, QmpService> tracker = new ServiceTracker<>(context, QmpService.class, null);
        tracker.open();
        try {
            QmpService server = tracker.waitForService(WAIT.toMillis());
            if (server == null) {
                return "-qmp: the QMP server did not start within " + WAIT.toSeconds() + " s";
            }
            for (String address : addresses) {
                try {
                    server.open(address); // QEMU's -qmp: server=on listens, else it connects out
                } catch (NetException e) {
                    return "-qmp " + address + ": " + e.getMessage();
                }
            }
            return null;
        } finally {
            tracker.close();
        }
    }

    /**
     * An option's error as QEMU's command line prints it: the option, the message, and the hint
     * line QEMU adds to some messages (only there: QMP's reply has none).
     *
     * @param option  the option as given, e.g. {@code -netdev hubport,id=9,hubid=1}
     * @param message the runtime's message
     * @return the error, one line or two
     */
    public static String errorLine(String option, String message) {
        String line = option + ": " + message;
        return message.equals("Parameter 'id' expects an identifier")
                ? line + "\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter." : line;
    }

    /** Polls the topology until nothing declared is pending; the first failure is the answer. */
    private static String awaitRunning(NetControl control, List<Declared> declared) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            NetworkDTO network = control.network();
            Declared waiting = null;
            for (Declared d : declared) {
                Declared.Standing s = d.standing(network);
                if (s instanceof Declared.Failed f) {
                    return d.group() + ": " + f.error();
                }
                if (s instanceof Declared.Pending && waiting == null) {
                    waiting = d;
                }
            }
            if (waiting == null) {
                return null;
            }
            if (System.nanoTime() - deadline > 0) {
                return waiting.group() + ": no driver for it started within " + WAIT.toSeconds() + " s";
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
