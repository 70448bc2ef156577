package net.itest;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import org.osgi.framework.BundleContext;

/**
 * The in-memory test driver {@code memwire}, registered by the test bundle itself: it stays up
 * while the driver bundle under test comes and goes, and gives the test a handle on each open
 * netdev.
 */
public final class MemWireDriver implements NetClientDriver<MemWireOptions> {

    /** The netdev type. */
    public static final String TYPE = "memwire";

    private final Map<String, MemWire> open = new ConcurrentHashMap<>();

    /**
     * @param context the test bundle's context
     * @return the registered driver
     */
    public static MemWireDriver register(BundleContext context) {
        MemWireDriver driver = new MemWireDriver();
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(NetClientDriver.TYPE, TYPE);
        context.registerService(NetClientDriver.class, driver, properties);
        return driver;
    }

    @Override
    public Class<MemWireOptions> optionsType() {
        return MemWireOptions.class;
    }

    @Override
    public NetClient open(MemWireOptions options, NetClientContext context) {
        MemWire wire = new MemWire(context, open, options.releasems() == null ? 0 : options.releasems());
        open.put(context.id(), wire);
        return wire;
    }

    /**
     * @param id a memwire netdev's id
     * @return its open backend
     * @throws AssertionError when it is not open (within the await timeout)
     */
    public MemWire wire(String id) {
        return Await.value("memwire netdev '" + id + "' to be open", () -> open.get(id));
    }
}
