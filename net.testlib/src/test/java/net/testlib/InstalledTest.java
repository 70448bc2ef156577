package net.testlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** A missing program fails a test with one line naming its Debian package, on a PATH made here. */
class InstalledTest {

    @TempDir
    Path dir;

    @Test
    void aProgramMissingFromThePathNamesItsPackage() throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Installed.require("tshark", bin.toString()));
        assertEquals("tshark not found: install the Debian package tshark (./test installs it)", e.getMessage());
        assertEquals(List.of(), Arrays.stream(e.getStackTrace()).filter(f -> f.getClassName().startsWith("net.testlib.")
                || f.getClassName().startsWith("java.")).toList(), "no frames of the check itself, nor the JDK's");
        e = assertThrows(AssertionFailedError.class, () -> Installed.require("ping", "/nonexistent:" + bin));
        assertEquals("ping not found: install the Debian package iputils-ping (./test installs it)", e.getMessage());
    }

    @Test
    void aFileThatIsNotExecutableIsNoProgram() throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Files.writeString(bin.resolve("socat"), "");
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Installed.require("socat", bin.toString()));
        assertEquals("socat not found: install the Debian package socat (./test installs it)", e.getMessage());
    }

    @Test
    void aProgramOnThePathIsFound() throws Exception {
        Path first = Files.createDirectory(dir.resolve("first"));
        Path second = Files.createDirectory(dir.resolve("second"));
        Path socat = Host.script(second, "socat", "exit 0");
        assertEquals(socat, Installed.require("socat", first + ":" + second));
    }

    @Test
    void aProgramWithoutAKnownPackageIsStillOneLine() throws Exception {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Installed.require("pb-no-such-program", dir.toString()));
        assertEquals("pb-no-such-program not found on the PATH", e.getMessage());
    }

    @Test
    void programStartChecksAnAbsolutePathToo() {
        Path missing = dir.resolve("vde_switch");
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Program.start(dir, "vde", List.of(missing.toString(), "-d")));
        assertEquals(missing + " not found: install the Debian package vde2 (./test installs it)", e.getMessage());
    }

    @Test
    void hostRunChecksWhatItRuns() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Host.run(5, dir.resolve("iperf3").toString(), "-v"));
        assertEquals(dir.resolve("iperf3") + " not found: install the Debian package iperf3 (./test installs it)",
                e.getMessage());
    }
}
