package launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.testlib.Program;

/**
 * A checkout holding only the run script {@code ./patchbay} and the built jar, in a directory
 * without sources, so the script builds nothing there and keeps its caches beside that copy.
 */
final class ScriptCheckout {

    private static final Path JAR = Path.of(System.getProperty("patchbay.jar"));
    /** launcher/target/patchbay.jar -> the checkout's root, where the script is. */
    private static final Path SCRIPT = JAR.toAbsolutePath().getParent().getParent().getParent().resolve("patchbay");

    private ScriptCheckout() {
    }

    /**
     * Copies the script and the jar under a directory, as in the project.
     *
     * @param root the directory
     * @return the jar's copy
     * @throws IOException when they cannot be copied
     */
    static Path copyTo(Path root) throws IOException {
        Path jar = root.resolve("launcher/target/patchbay.jar");
        Files.createDirectories(jar.getParent());
        Files.copy(JAR, jar);
        Files.copy(SCRIPT, root.resolve("patchbay"));
        return jar;
    }

    /**
     * Starts the script there, with the JDK that runs this test.
     *
     * @param root        the checkout made by {@link #copyTo}
     * @param name        the name of its output files in the checkout
     * @param environment given the script's environment to change
     * @param args        the script's arguments
     * @return the running script
     * @throws IOException when it cannot be started
     */
    static Program start(Path root, String name, Consumer<Map<String, String>> environment, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(root.resolve("patchbay").toString()));
        command.addAll(List.of(args));
        // This JDK, whatever else the machine has.
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        return Program.start(root, name, command, env -> {
            env.put("JAVA_HOME", java.getParent().getParent().toString());
            environment.accept(env);
        });
    }
}
