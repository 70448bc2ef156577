package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.api.NetClientDriver;
import net.hub.NetRuntime;
import net.testlib.Installed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code src/test/sh/qmp-socat.sh} against a live server, over a unix socket and TCP. */
class QmpSocatTest {

    private static final Path SCRIPT = Path.of("src/test/sh/qmp-socat.sh");

    @Test
    void socatPipingJsonLines(@TempDir Path dir) throws Exception {
        Installed.require("socat");
        NetRuntime runtime = new NetRuntime(1, System::getLogger);
        QmpServer server = new QmpServer(runtime, "patchbay-1.0.0", () -> { }, System.getLogger("qmp-test"));
        try {
            runtime.bindNetClientDriver(new TestDrivers.XDriver(), Map.of(NetClientDriver.TYPE, "x"));
            runtime.bindNetEventListener(server);
            Path socket = dir.resolve("qmp.sock");
            server.listen("unix:" + socket + ",server=on,wait=off");
            String port = server.listen("tcp:127.0.0.1:0,server=on,wait=off").address().replaceAll(".*:", "");
            for (String target : new String[] {"UNIX-CONNECT:" + socket, "TCP:127.0.0.1:" + port}) {
                Result result = run("bash " + SCRIPT + " " + target);
                assertEquals(0, result.exitCode, result.output);
                assertTrue(result.output.contains("qmp-socat: ok"), result.output);
            }
        } finally {
            server.close();
            runtime.close();
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(String command) throws Exception {
        Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return new Result(-1, command + ": timed out");
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
