package net.testlib;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Needs root: namespaces, TAP devices, bridges, raw IP sockets, {@code setpriv}: lane {@value Lanes#KERNEL}.
 * On a class or a test method; a test that needs two lanes carries both annotations.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Tag(Lanes.KERNEL)
public @interface KernelTest {
}
