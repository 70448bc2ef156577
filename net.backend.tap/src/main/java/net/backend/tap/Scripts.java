package net.backend.tap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.api.NetException;
import net.posix.PosixException;

/**
 * QEMU's up- and down-scripts: {@code SCRIPT IFNAME}, waited for. QEMU waits without limit. The
 * down-script runs in {@link TapBackend#release()}, on a control thread; the up-script runs in
 * {@code open}, on the netdev's event loop, because its failure must fail the netdev before the
 * command returns (QEMU blocks its main loop there the same way). So the wait is bounded, and a
 * script still running then is killed and counts as failed (status 9).
 */
final class Scripts {

    static final String DEFAULT_SCRIPT = "/etc/qemu-ifup";
    static final String DEFAULT_DOWNSCRIPT = "/etc/qemu-ifdown";
    /** Below the runtime's 10 s answer time for a control call (open on the loop), with room for the rest of open. */
    static final Duration LIMIT = Duration.ofSeconds(5);

    private Scripts() {
    }

    /**
     * @param given the option's value
     * @param fallback QEMU's default path
     * @return the script to run, or null for none ({@code no}, or no default installed)
     */
    static String resolve(String given, String fallback) {
        if (given == null) {
            return Files.isRegularFile(Path.of(fallback)) ? fallback : null;
        }
        return given.isEmpty() || given.equals("no") ? null : given;
    }

    /**
     * Runs {@code script ifname}.
     *
     * @throws NetException {@code network script S failed with status N} (N the raw wait status,
     *                      256 for exit code 1; QEMU reports a script it cannot start as 256 too)
     */
    static void run(String script, String ifname) throws NetException {
        int status;
        try {
            status = ChildProcess.spawn(List.of(script, ifname), -1).await(LIMIT);
        } catch (PosixException e) {
            status = 1 << 8; // QEMU's child exits 1 when execv fails
        }
        if (status != 0) {
            throw NetException.generic("network script %s failed with status %d", script, status);
        }
    }
}
