package net.testlib;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An external program a test started (QEMU, tshark, tcpdump): stdin from /dev/null, stdout and
 * stderr in files of the test's directory, and {@link #close()} always ends it (SIGTERM, SIGKILL
 * after 3 s). A shutdown hook kills whatever a crashed or timed-out test left running.
 */
public final class Program implements AutoCloseable {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "test-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path out;
    private final Path err;

    private Program(String name, Process process, Path out, Path err) {
        this.name = name;
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /**
     * @param dir     the working directory; {@code NAME.out} and {@code NAME.err} go there
     * @param name    a short name for files and failure messages
     * @param command the program and its arguments; a program not installed fails the test with
     *                one line naming its Debian package ({@link Installed})
     */
    public static Program start(Path dir, String name, List<String> command) throws IOException {
        return start(dir, name, command, environment -> {
        });
    }

    /**
     * As {@link #start(Path, String, List)}, in an environment of the caller's making.
     *
     * @param environment given the test's environment to change for the program
     */
    public static Program start(Path dir, String name, List<String> command, Consumer<Map<String, String>> environment)
            throws IOException {
        Installed.requireCommand(command);
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        environment.accept(builder.environment());
        Process process = builder.start();
        LIVE.add(process);
        return new Program(name, process, out, err);
    }

    public String name() {
        return name;
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return what it wrote to stdout so far */
    public String stdout() {
        return read(out);
    }

    /** @return what it wrote to stderr so far */
    public String stderr() {
        return read(err);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** @return one line for failure messages: name, pid, state and stderr */
    public String describe() {
        String state = process.isAlive() ? "running" : "exited " + process.exitValue();
        return name + " [pid " + process.pid() + ", " + state + "] stderr: " + stderr().strip();
    }

    /** Waits for the program to end by itself; fails the test when it does not within the bound. */
    public int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            fail(name + " did not end within " + seconds + " s: " + describe());
        }
        return process.exitValue();
    }

    /** Ends the program: SIGTERM, then SIGKILL if it is still there after 3 s; waits for it to be gone. */
    @Override
    public void close() {
        try {
            process.destroy();
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
        }
    }
}
