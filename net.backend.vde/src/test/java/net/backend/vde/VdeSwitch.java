package net.backend.vde;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.testlib.Await;
import net.testlib.Ports;
import net.testlib.Program;

/**
 * A real {@code vde_switch} (Debian's vde2) serving a directory, run as a daemon so that a test can
 * SIGKILL it and start another on the same directory; closing kills it.
 */
final class VdeSwitch implements AutoCloseable {

    static final String BINARY = "vde_switch";
    private static final Duration READY = Duration.ofSeconds(10);

    private final Path dir;
    private final Path pidFile;
    private ProcessHandle process;

    private VdeSwitch(Path dir, Path pidFile) {
        this.dir = dir;
        this.pidFile = pidFile;
    }

    /**
     * Starts a switch on {@code dir} and waits until its control socket answers.
     *
     * @param work where the pid file and the launcher's output go
     * @param dir  the switch's directory (created by the switch)
     */
    static VdeSwitch start(Path work, Path dir) throws Exception {
        VdeSwitch sw = new VdeSwitch(dir, work.resolve(dir.getFileName() + ".pid"));
        sw.restart(work);
        return sw;
    }

    /** Starts the switch again on the same directory (after {@link #kill}). */
    void restart(Path work) throws Exception {
        Files.deleteIfExists(pidFile);
        try (Program launcher = Program.start(work, "vde_switch", List.of(BINARY, "-d", "-s", dir.toString(),
                "-p", pidFile.toString()))) {
            if (launcher.await(10) != 0) {
                throw new AssertionError("vde_switch did not start: " + launcher.describe());
            }
        }
        Await.until(() -> Ports.unixListening(dir.resolve("ctl")) && pid().isPresent(), READY, "vde_switch on " + dir);
        process = ProcessHandle.of(pid().orElseThrow()).orElseThrow();
    }

    Path dir() {
        return dir;
    }

    /** SIGKILL: the switch cleans up nothing, as after a crash. */
    void kill() throws Exception {
        if (process != null) {
            ProcessHandle p = process;
            process = null;
            p.destroyForcibly();
            Await.until(() -> !p.isAlive(), READY, "vde_switch gone");
        }
    }

    @Override
    public void close() throws Exception {
        kill();
    }

    private Optional<Long> pid() {
        try {
            String text = Files.exists(pidFile) ? Files.readString(pidFile).strip() : "";
            return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
