package net.itest;

import java.nio.ByteBuffer;
import java.util.Dictionary;
import java.util.Hashtable;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A driver with a bug, {@code faultywire}, deployed by the test bundle into the running framework:
 * its netdevs throw from {@code open} or {@code receive}, as their {@code fail} option says.
 */
public final class FaultyWireDriver implements NetClientDriver<FaultyWireDriver.Options> {

    /** The netdev type. */
    public static final String TYPE = "faultywire";

    /** @param fail {@code open} or {@code receive}: where the netdev throws; nowhere when absent */
    public record Options(String fail) {
    }

    /**
     * @param context the test bundle's context
     * @return the registration, to take the driver away again
     */
    public static ServiceRegistration<NetClientDriver> register(BundleContext context) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(NetClientDriver.TYPE, TYPE);
        return context.registerService(NetClientDriver.class, new FaultyWireDriver(), properties);
    }

    @Override
    public Class<Options> optionsType() {
        return Options.class;
    }

    @Override
    public NetClient open(Options options, NetClientContext context) {
        if ("open".equals(options.fail())) {
            throw new IllegalStateException("open broken on purpose");
        }
        return new NetClient() {
            @Override
            public Delivery receive(ByteBuffer frame) {
                if ("receive".equals(options.fail())) {
                    throw new IllegalStateException("receive broken on purpose");
                }
                return Delivery.DELIVERED;
            }

            @Override
            public String info() {
                return TYPE;
            }

            @Override
            public void close() {
                // nothing held
            }
        };
    }
}
