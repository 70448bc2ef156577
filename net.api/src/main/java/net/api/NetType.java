package net.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.annotation.bundle.Attribute;
import org.osgi.annotation.bundle.Capability;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Marks a {@link NetClientDriver} component with the netdev type it implements: sets the service
 * property {@value NetClientDriver#TYPE}, declares a {@value #DRIVER_NAMESPACE} capability in the
 * bundle's manifest, so a launcher can tell which types a bundle provides before starting it, and
 * requires the runtime ({@link RequireRuntime}).
 */
@ComponentPropertyType
@Capability(namespace = NetType.DRIVER_NAMESPACE, version = NetType.DRIVER_VERSION)
@RequireRuntime
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface NetType {

    /**
     * The capability namespace of netdev, filter and NIC types before it had a domain.
     *
     * @deprecated no bundle declares it any more; read {@link #DRIVER_NAMESPACE}. Removed in 3.0.
     */
    @Deprecated(since = "2.1", forRemoval = true)
    String NAMESPACE = "net.driver";

    /**
     * The capability namespace of netdev, filter and NIC types. A capability has one of the
     * attributes {@code net.type}, {@code filter.type}, {@code nic.type} naming the type, and
     * {@code version}, the {@link #DRIVER_VERSION} of the SPI the driver was built against.
     */
    String DRIVER_NAMESPACE = "org.patchbay.net.driver";

    /** The {@code version} of a {@value #DRIVER_NAMESPACE} capability: SPI 2, this package's major version. */
    String DRIVER_VERSION = "2.0.0";

    /** @return the QAPI netdev type, e.g. {@code socket} */
    @Attribute("net.type")
    String value();
}
