package net.testlib;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.opentest4j.AssertionFailedError;

/**
 * The programs and files the tests need from Debian packages, and the one check every test makes
 * before it starts one: a missing program fails the test with one line naming its package
 * ({@code tshark not found: install the Debian package tshark (./test installs it)}) instead of
 * an {@code IOException}'s stack trace. {@link Program}, {@link Host}, {@link Netns} and {@link Qemu}
 * check what they start; tests starting a program otherwise call {@link #require(String)}. The
 * repository's {@code ./test} installs the same packages.
 */
public final class Installed {

    /** Program (or file) name to the Debian package that installs it; ./test's list. */
    private static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("tshark", "tshark"),
            Map.entry("socat", "socat"),
            Map.entry(Qemu.BINARY, "qemu-system-x86"),
            Map.entry("qemu-bridge-helper", "qemu-system-common"),
            Map.entry("pxe-e1000.rom", "ipxe-qemu"),
            Map.entry("tcpdump", "tcpdump"),
            Map.entry("iperf3", "iperf3"),
            Map.entry("ping", "iputils-ping"),
            Map.entry("ip", "iproute2"),
            Map.entry("setpriv", "util-linux"),
            Map.entry("prlimit", "util-linux"),
            Map.entry("kill", "procps"),
            Map.entry("vde_switch", "vde2"),
            Map.entry("busybox", "busybox"),
            Map.entry("dpdk-testpmd", "dpdk-dev"),
            Map.entry("promtool", "prometheus"),
            Map.entry("prometheus", "prometheus"),
            Map.entry("chromium", "chromium"),
            Map.entry("libslirp.so.0", "libslirp0"));

    private Installed() {
    }

    /**
     * @param program a name looked up on the PATH, or an absolute path (a program or a file such as
     *                a NIC ROM)
     * @return where it is; fails the test with one line naming its Debian package when it is not there
     */
    public static Path require(String program) {
        return require(program, System.getenv().getOrDefault("PATH", ""));
    }

    /** As {@link #require(String)}, on the first element of a command line. */
    static void requireCommand(List<String> command) {
        if (!command.isEmpty()) {
            require(command.getFirst());
        }
    }

    /** @return whether {@code program} is there (on the PATH, or at its absolute path) */
    public static boolean present(String program) {
        return find(program, System.getenv().getOrDefault("PATH", "")).isPresent();
    }

    /** {@link #require(String)} with a PATH of the caller's (its own tests). */
    static Path require(String program, String path) {
        Optional<Path> found = find(program, path);
        if (found.isEmpty()) {
            String pkg = PACKAGES.get(Path.of(program).getFileName().toString());
            throw missing(pkg == null
                    ? program + " not found on the PATH"
                    : program + " not found: install the Debian package " + pkg + " (./test installs it)");
        }
        return found.get();
    }

    /**
     * @return the failure, its trace cut to the frames of the test that needs the program: the
     *         report shows the line to act on and where, not how the check was made
     */
    private static AssertionFailedError missing(String message) {
        AssertionFailedError e = new AssertionFailedError(message);
        String here = Installed.class.getPackageName() + ".";
        e.setStackTrace(Arrays.stream(e.getStackTrace())
                .filter(frame -> !frame.getClassName().startsWith(here))
                .takeWhile(frame -> !frame.getClassName().startsWith("java.")
                        && !frame.getClassName().startsWith("jdk.")
                        && !frame.getClassName().startsWith("org.junit."))
                .toArray(StackTraceElement[]::new));
        return e;
    }

    private static Optional<Path> find(String program, String path) {
        Path given = Path.of(program);
        if (given.isAbsolute()) {
            return Files.exists(given) ? Optional.of(given) : Optional.empty();
        }
        if (program.contains("/")) {
            return Optional.of(given); // relative to a working directory the caller chooses: not judged here
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
