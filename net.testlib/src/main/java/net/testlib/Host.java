package net.testlib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** The host as tests see it: commands (bounded), interface names nobody else uses, /sys/class/net. */
public final class Host {

    private Host() {
    }

    /** The output of a command that ran to completion. */
    public record Result(int status, String output) {
    }

    /**
     * Runs a command for at most {@code seconds}; stdout and stderr together. A program not installed
     * fails the test with one line naming its Debian package ({@link Installed}).
     */
    public static Result run(int seconds, String... command) throws IOException, InterruptedException {
        Installed.requireCommand(List.of(command));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new IOException("timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    /** Runs a command that must succeed. */
    public static String sh(String... command) throws IOException, InterruptedException {
        Result r = run(20, command);
        if (r.status() != 0) {
            throw new IOException(String.join(" ", command) + " -> " + r.status() + ": " + r.output());
        }
        return r.output();
    }

    /** Runs a cleanup command, ignoring failure (the thing may never have been made). */
    public static void quietly(String... command) {
        if (!Installed.present(command[0])) {
            return; // the test has already failed for it
        }
        try {
            run(20, command);
        } catch (IOException | InterruptedException e) {
            // nothing left to clean
        }
    }

    /** @return a fresh name such as {@code pbt3f9a1} (short enough for IFNAMSIZ) */
    public static String name(String prefix) {
        return prefix + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    }

    public static boolean exists(String ifname) {
        return Files.exists(Path.of("/sys/class/net", ifname));
    }

    /** @return {@code ip -d link show} of an interface in the root namespace */
    public static String details(String ifname) throws IOException, InterruptedException {
        return sh("ip", "-d", "link", "show", ifname);
    }

    /** A small script file that the test deletes. */
    public static Path script(Path dir, String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        file.toFile().setExecutable(true);
        return file;
    }

    public static List<String> lines(String text) {
        return text.lines().toList();
    }
}
