package net.testlib;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Needs QEMU installed ({@code qemu-system-x86_64}, iPXE ROMs, the bridge helper): lane {@value Lanes#QEMU}.
 * Interop tests that skip when QEMU is missing belong here too.
 * On a class or a test method; a test that needs two lanes carries both annotations.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Tag(Lanes.QEMU)
public @interface QemuTest {
}
