package net.hub;

import java.util.LinkedHashMap;
import java.util.Map;
import net.api.ErrorClass;
import net.api.NetException;
import net.control.NetControl;
import net.control.Section;
import net.control.QemuOptions;
import net.log.Loggers;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.LoggerFactory;

/**
 * The ConfigAdmin front end: each factory configuration of PID {@value #PID} is a netdev
 * ({@code type}, {@code id} and the options as properties, dotted keys for nested options). FileInstall
 * turns {@code deploy/net.netdev-s0.cfg} into one; the id defaults to the part after the dash.
 * The netdev waits for its driver and for a netdev it names (files are taken up in any order),
 * follows changes, and is deleted with the configuration. The file owns the netdev and Patchbay
 * never writes it: {@code netdev_del} deletes the netdev until the file changes (a change makes it
 * again) or Patchbay starts again. A file whose options are refused is a netdev in state
 * {@code failed} with the reason ({@code net:netdevs}, {@code x-query-netdevs}) until it is right;
 * so is a file without an id (none in it, none after the dash of its name), listed under the
 * file's name with QEMU's {@code Parameter 'id' is missing}, and a file whose type is missing or
 * whose id is refused or taken, with QEMU's error for that.
 */
@Component(configurationPid = NetdevConfiguration.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class NetdevConfiguration {

    /** The factory PID. */
    public static final String PID = "net.netdev";
    private static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    private final NetControl control;
    private final Loggers logs = new Loggers();
    private final System.Logger log = logs.logger(NetdevConfiguration.class.getName());
    private String id;

    /** @param control the control service */
    @Activate
    public NetdevConfiguration(@Reference NetControl control) {
        this.control = control;
    }

    /**
     * Applies the configuration once the log, if there is one, is bound (after the constructor).
     *
     * @param properties the configuration
     */
    @Activate
    void activate(Map<String, Object> properties) {
        apply(properties, false);
    }

    /** @param factory the OSGi log, optional: without one this logs to {@code System.Logger} */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLoggerFactory(LoggerFactory factory) {
        logs.bind(factory);
    }

    void unbindLoggerFactory(LoggerFactory factory) {
        logs.unbind(factory);
    }

    /** @param properties the changed configuration */
    @Modified
    void modified(Map<String, Object> properties) {
        apply(properties, true);
    }

    @Deactivate
    void deactivate() {
        if (id != null) {
            try {
                control.netdevDel(id);
            } catch (NetException e) {
                log.log(System.Logger.Level.DEBUG, () -> "netdev " + id + " already gone: " + e.getMessage());
            }
        }
    }

    private void apply(Map<String, Object> properties, boolean update) {
        Map<String, Object> flat = new LinkedHashMap<>();
        properties.forEach((key, value) -> {
            // Framework, SCR and FileInstall add properties of their own; only the rest are options.
            if (!key.startsWith("service.") && !key.startsWith("component.") && !key.startsWith("felix.")
                    && !key.startsWith("osgi.") && !key.equals("objectClass")) {
                flat.put(key, value);
            }
        });
        String idFromName = idFromFileName(properties.get(FILEINSTALL_FILENAME));
        if (idFromName != null) {
            flat.putIfAbsent("id", idFromName);
        }
        String source = String.valueOf(properties.getOrDefault(FILEINSTALL_FILENAME, properties.get("service.pid")));
        String fileName = source.substring(source.lastIndexOf('/') + 1);
        try {
            Map<String, Object> tree = QemuOptions.nest(flat);
            boolean named = tree.get("id") != null;
            String newId = named ? String.valueOf(tree.get("id")) : fileName;
            if (update && (id == null || !id.equals(newId) || !named)) {
                // The old netdev is gone or had another id: this is a new one.
                deactivate();
                update = false;
            }
            id = newId;
            if (!named) {
                control.declareRefused(newId, tree, "Parameter 'id' is missing");
            } else if (update) {
                try {
                    control.update(Section.NETDEV, tree);
                } catch (NetException e) {
                    if (e.errorClass() != ErrorClass.DeviceNotFound) {
                        throw e;
                    }
                    // Deleted meanwhile (netdev_del): the file still declares it, so it comes back.
                    control.declareAwaiting(Section.NETDEV, tree);
                }
            } else {
                control.declareAwaiting(Section.NETDEV, tree);
            }
        } catch (NetException e) {
            log.log(System.Logger.Level.ERROR, source + ": " + e.getMessage());
            if (!update) {
                id = refuse(fileName, flat, e.getMessage());
            }
        }
    }

    /**
     * Lists a file the runtime kept nothing of (its id refused or taken, its type missing) under
     * the file's name, failed with why, so it shows where the netdevs are and not only in the log.
     *
     * @return the name it is listed under, or null when even that is taken
     */
    private String refuse(String fileName, Map<String, Object> options, String reason) {
        try {
            control.declareRefused(fileName, options, reason);
            return fileName;
        } catch (NetException e) {
            log.log(System.Logger.Level.ERROR, fileName + ": cannot be listed: " + e.getMessage());
            return null;
        }
    }

    private static String idFromFileName(Object fileName) {
        if (fileName == null) {
            return null;
        }
        String name = String.valueOf(fileName);
        name = name.substring(name.lastIndexOf('/') + 1);
        int dash = name.indexOf('-');
        int dot = name.lastIndexOf('.');
        return dash < 0 || dot <= dash + 1 ? null : name.substring(dash + 1, dot);
    }
}
