package net.testlib;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Needs a real OSGi framework, in the test JVM or as the packaged launcher: lane {@value Lanes#OSGI}.
 * On a class or a test method; a test that needs two lanes carries both annotations.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Tag(Lanes.OSGI)
public @interface OsgiTest {
}
