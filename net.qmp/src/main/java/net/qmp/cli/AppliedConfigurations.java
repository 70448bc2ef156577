package net.qmp.cli;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Whether every configuration ConfigAdmin holds has been taken up by the components it
 * configures: FileInstall's first scan turns {@code deploy/*.cfg} into configurations before the
 * launcher applies the command line, but ConfigAdmin hands them to DS on a thread of its own, so a
 * {@code net.netdev} configuration is in place only once its component has been activated with
 * it (and has declared its netdev).
 */
final class AppliedConfigurations {

    private final BundleContext context;

    /** @param context the context to find ConfigAdmin and the component runtime with */
    AppliedConfigurations(BundleContext context) {
        this.context = context;
    }

    /**
     * @return the pid of a configuration a component is still to take up, or null when there is
     *         none (or no ConfigAdmin or component runtime to ask)
     */
    String waitingFor() {
        ServiceReference<ConfigurationAdmin> cmRef = context.getServiceReference(ConfigurationAdmin.class);
        ServiceReference<ServiceComponentRuntime> scrRef = context.getServiceReference(ServiceComponentRuntime.class);
        ConfigurationAdmin cm = cmRef == null ? null : context.getService(cmRef);
        ServiceComponentRuntime scr = scrRef == null ? null : context.getService(scrRef);
        try {
            if (cm == null || scr == null) {
                return null;
            }
            Set<String> consumed = new HashSet<>();
            Set<String> applied = new HashSet<>();
            for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
                consumed.addAll(List.of(description.configurationPid));
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(description)) {
                    // An immediate component still SATISFIED is being activated; a delayed one waits for a user.
                    if (c.state != ComponentConfigurationDTO.SATISFIED || !description.immediate) {
                        Object pid = c.properties.get(Constants.SERVICE_PID);
                        if (pid instanceof String[] pids) {
                            applied.addAll(List.of(pids)); // a component with several configuration pids
                        } else if (pid != null) {
                            applied.add(pid.toString());
                        }
                    }
                }
            }
            Configuration[] configurations = cm.listConfigurations(null);
            for (Configuration c : configurations == null ? new Configuration[0] : configurations) {
                String consumer = c.getFactoryPid() != null ? c.getFactoryPid() : c.getPid();
                if (consumed.contains(consumer) && !applied.contains(c.getPid())) {
                    return c.getPid();
                }
            }
            return null;
        } catch (IOException | InvalidSyntaxException e) {
            return null; // nothing to wait for that could be known
        } finally {
            if (cm != null) {
                context.ungetService(cmRef);
            }
            if (scr != null) {
                context.ungetService(scrRef);
            }
        }
    }
}
