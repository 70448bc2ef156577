package net.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.annotation.bundle.Attribute;
import org.osgi.annotation.bundle.Capability;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Marks a {@link NetFilterDriver} component with the object type it implements: sets the service
 * property {@value NetFilterDriver#TYPE} and declares a {@value NetType#NAMESPACE} capability.
 */
@ComponentPropertyType
@Capability(namespace = NetType.NAMESPACE)
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface FilterType {

    /** @return the QOM type, e.g. {@code filter-dump} */
    @Attribute("filter.type")
    String value();
}
