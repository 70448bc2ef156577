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
 * property {@value NetClientDriver#TYPE} and declares a {@value #NAMESPACE} capability in the
 * bundle's manifest, so a launcher can tell which types a bundle provides before starting it.
 */
@ComponentPropertyType
@Capability(namespace = NetType.NAMESPACE)
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface NetType {

    /** The capability namespace of netdev, filter and NIC types. */
    String NAMESPACE = "net.driver";

    /** @return the QAPI netdev type, e.g. {@code socket} */
    @Attribute("net.type")
    String value();
}
