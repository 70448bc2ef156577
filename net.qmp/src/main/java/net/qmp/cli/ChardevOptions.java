package net.qmp.cli;

import java.time.Duration;
import java.util.List;
import net.api.NetException;
import net.chardev.Chardevs;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The {@code -chardev} options, made through net.chardev's {@link Chardevs} service before anything
 * that names them (QEMU, too, makes chardevs first). Loaded only when there are such options: net.qmp
 * imports net.chardev optionally and runs without it.
 */
final class ChardevOptions {

    private ChardevOptions() {
    }

    /**
     * @param context the context to find the service with
     * @param options the {@code -chardev} options, in order
     * @param wait    how long to wait for the service
     * @return null when every chardev was made, else the error line for the first that was not
     */
    static String apply(BundleContext context, List<OptionGroup> options, Duration wait) throws InterruptedException {
        ServiceTracker<Chardevs, Chardevs> tracker = new ServiceTracker<>(context, Chardevs.class, null);
        tracker.open();
        try {
            Chardevs chardevs = tracker.waitForService(wait.toMillis());
            if (chardevs == null) {
                return options.get(0) + ": chardevs need the net.chardev bundle, which did not start within "
                        + wait.toSeconds() + " s";
            }
            for (OptionGroup option : options) {
                try {
                    chardevs.add(option.arguments());
                } catch (NetException e) {
                    return option + ": " + e.getMessage();
                }
            }
            return null;
        } finally {
            tracker.close();
        }
    }
}
