package net.testlib;

/**
 * The test lanes: JUnit 5 tags by what a test needs beyond a JDK and Maven. A test carries the tag
 * of every lane it needs ({@link QemuTest}, {@link KernelTest}, {@link OsgiTest}); a test with none
 * is in the unit lane. {@code mvn -B verify} runs every lane; {@code -Dlane=NAME} runs one (the
 * root pom's lane profiles turn the name into Surefire's and Failsafe's {@code groups}).
 */
public final class Lanes {

    /** Needs QEMU installed: {@code qemu-system-x86_64}, iPXE's NIC ROMs, QEMU's bridge helper. */
    public static final String QEMU = "qemu";
    /**
     * Needs root: network namespaces, TAP devices, bridges, raw IP sockets, {@code setpriv} changing
     * users or capability sets, {@code ip}, {@code tcpdump} on an interface.
     */
    public static final String KERNEL = "kernel";
    /** Needs a real OSGi framework: Pax Exam, or the launcher's packaged jar run as a process. */
    public static final String OSGI = "osgi";
    /** Not a tag: the lane of every test that has none of the tags above. */
    public static final String UNIT = "unit";

    private Lanes() {
    }
}
