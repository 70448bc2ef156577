package net.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.annotation.bundle.Requirement;

/**
 * Requires the Patchbay runtime ({@code net.hub}, which provides the {@code osgi.implementation}
 * capability {@value #NAME}) when the bundle resolves, so a resolver asked for a driver or a front
 * end brings the runtime along. {@link NetType}, {@link NicType} and {@link FilterType} carry it:
 * every driver declares it without saying so; other bundles that only work with the runtime
 * (front ends, QMP commands) put it on a class or package.
 */
@Requirement(namespace = RequireRuntime.NAMESPACE, name = RequireRuntime.NAME, version = RequireRuntime.VERSION)
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.PACKAGE, ElementType.ANNOTATION_TYPE})
public @interface RequireRuntime {

    /** The namespace of the runtime's capability: OSGi's, for implementations of a specification. */
    String NAMESPACE = "osgi.implementation";

    /** The runtime's capability: the implementation of the driver SPI, this package. */
    String NAME = "org.patchbay.net";

    /** The lowest runtime version required: any runtime of SPI 2. */
    String VERSION = "2.0.0";
}
