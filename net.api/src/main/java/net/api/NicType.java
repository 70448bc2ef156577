package net.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.annotation.bundle.Attribute;
import org.osgi.annotation.bundle.Capability;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Marks a {@link NicModel} component with the model it implements: sets the service property
 * {@value NicModel#TYPE} and declares a {@value NetType#DRIVER_NAMESPACE} capability and requires the runtime
 * ({@link RequireRuntime}).
 */
@ComponentPropertyType
@Capability(namespace = NetType.DRIVER_NAMESPACE, version = NetType.DRIVER_VERSION)
@RequireRuntime
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface NicType {

    /** @return the model name used with {@code -device}, e.g. {@code responder} */
    @Attribute("nic.type")
    String value();
}
