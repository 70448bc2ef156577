package net.chardev.socket;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.api.ErrorClass;
import net.api.NetEventLoop;
import net.api.NetException;
import net.chardev.ChardevHandler;
import net.chardev.ChardevPort;
import net.chardev.Chardevs;
import net.log.Loggers;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.LoggerFactory;

/** The chardevs by id: created from the command line or QMP, attached by filters and drivers. */
@Component(service = {Chardevs.class, ChardevRegistry.class})
public final class ChardevRegistry implements Chardevs {

    private final Map<String, SocketChardev> chardevs = new LinkedHashMap<>();
    private final System.Logger log;
    /** The OSGi component's loggers; outside OSGi the caller gives its logger. */
    private Loggers logs;

    /**
     * The OSGi component: a client's failed reconnections and a waiting server are reported to the
     * OSGi log while there is one, to {@code System.Logger} otherwise.
     */
    @Activate
    public ChardevRegistry() {
        this(new Loggers());
    }

    private ChardevRegistry(Loggers logs) {
        this(logs.logger(ChardevRegistry.class.getName()));
        this.logs = logs;
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

    /** @param log where a client's failed reconnections and a waiting server are reported */
    public ChardevRegistry(System.Logger log) {
        this.log = log;
    }

    @Override
    public String add(Map<String, Object> options) throws NetException {
        SocketSpec spec = SocketSpec.ofCommandLine(options);
        synchronized (this) {
            if (chardevs.containsKey(spec.id())) {
                throw NetException.generic("Duplicate ID '%s' for chardev", spec.id());
            }
        }
        put(SocketChardev.open(spec, log));
        return spec.id();
    }

    /**
     * {@code chardev-add}.
     *
     * @param id      the id
     * @param backend the {@code ChardevBackend} members
     * @throws NetException in QEMU's words
     */
    public void add(String id, Map<String, Object> backend) throws NetException {
        Members b = new Members(backend, "backend");
        String type = b.string("type", true);
        if (!SocketSpec.QEMU_TYPES.contains(type)) {
            throw NetException.generic("Parameter 'type' does not accept value '%s'", type);
        }
        if (!SocketSpec.TYPE.equals(type)) {
            throw NetException.generic("chardev backend '%s' is not available in Patchbay (it has 'socket')", type);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> data = backend.get("data") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
        if (data == null) {
            b.object("data", true); // the missing or mistyped member, in QEMU's words
        }
        SocketSpec spec = SocketSpec.ofQmp(id, data);
        synchronized (this) {
            if (chardevs.containsKey(id)) {
                throw NetException.generic("Chardev with id '%s' already exists", id);
            }
        }
        try {
            put(SocketChardev.open(spec, log));
        } catch (NetException e) {
            throw NetException.generic("Failed to add chardev '%s': %s", id, e.getMessage());
        }
    }

    private void put(SocketChardev chardev) throws NetException {
        synchronized (this) {
            if (chardevs.putIfAbsent(chardev.id(), chardev) == null) {
                return;
            }
        }
        chardev.close(); // a racing add of the same id won
        throw NetException.generic("Chardev with id '%s' already exists", chardev.id());
    }

    /** {@code chardev-remove}. */
    public void remove(String id) throws NetException {
        SocketChardev chardev;
        synchronized (this) {
            chardev = chardevs.get(id);
            if (chardev == null) {
                throw NetException.generic("Chardev '%s' not found", id);
            }
            chardev.close();
            chardevs.remove(id);
        }
    }

    /** @return {@code query-chardev} */
    public synchronized List<ChardevInfo> list() {
        List<ChardevInfo> infos = new ArrayList<>();
        for (SocketChardev c : chardevs.values()) {
            infos.add(new ChardevInfo(c.frontendOpen(), c.filename(), c.id()));
        }
        return infos;
    }

    @Override
    public ChardevPort attach(String id, NetEventLoop loop, ChardevHandler handler) throws NetException {
        SocketChardev chardev;
        synchronized (this) {
            chardev = chardevs.get(id);
        }
        if (chardev == null) {
            throw new NetException(ErrorClass.DeviceNotFound, "Device '" + id + "' not found");
        }
        return chardev.attach(loop, handler);
    }

    @Deactivate
    public synchronized void deactivate() {
        for (SocketChardev c : chardevs.values()) {
            try {
                c.close();
            } catch (NetException e) {
                // a front end still holds it; its bundle stops with ours
            }
        }
        chardevs.clear();
    }
}
