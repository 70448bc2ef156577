package net.console;

import net.control.qmp.QmpService;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The console's {@code quit} (and {@code q}, {@code exit}, {@code shutdown}, the words people type
 * to leave a shell): QEMU's HMP {@code quit}. QMP clients get {@code SHUTDOWN} with reason {@code
 * host-qmp-quit}, then the framework stops, as after Ctrl-D or {@code stop 0}.
 */
@Component(service = QuitCommand.class, property = {
        "osgi.command.scope=patchbay",
        "osgi.command.function=quit",
        "osgi.command.function=q",
        "osgi.command.function=exit",
        "osgi.command.function=shutdown"})
public class QuitCommand {

    private final BundleContext context;

    /** Optional and dynamic: without a QMP server there is no client to tell. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile QmpService qmp;

    /** @param context this bundle's context, to stop the framework with */
    @Activate
    public QuitCommand(BundleContext context) {
        this.context = context;
    }

    /**
     * @return nothing when Patchbay stops, else why not
     */
    @Descriptor("stop Patchbay, like QEMU's quit (QMP clients get SHUTDOWN)")
    public String quit() {
        QmpService server = qmp;
        if (server != null) {
            server.quit();
            return null;
        }
        try {
            context.getBundle(Constants.SYSTEM_BUNDLE_ID).stop();
            return null;
        } catch (BundleException | IllegalStateException e) {
            return "Error: cannot stop: " + e.getMessage();
        }
    }

    /**
     * @param words anything after the command
     * @return HMP's words for them; Patchbay goes on
     */
    public String quit(Object... words) {
        return NetCommands.extraneous("quit");
    }

    /** @return as {@link #quit()} */
    @Descriptor("stop Patchbay; same as quit")
    public String q() {
        return quit();
    }

    /**
     * @param words anything after the command
     * @return HMP's words for them; Patchbay goes on
     */
    public String q(Object... words) {
        return NetCommands.extraneous("q");
    }

    /** @return as {@link #quit()} */
    @Descriptor("stop Patchbay; same as quit")
    public String exit() {
        return quit();
    }

    /**
     * @param words anything after the command
     * @return HMP's words for them; Patchbay goes on
     */
    public String exit(Object... words) {
        return NetCommands.extraneous("exit");
    }

    /** @return as {@link #quit()} */
    @Descriptor("stop Patchbay; same as quit")
    public String shutdown() {
        return quit();
    }

    /**
     * @param words anything after the command
     * @return HMP's words for them; Patchbay goes on
     */
    public String shutdown(Object... words) {
        return NetCommands.extraneous("shutdown");
    }
}
