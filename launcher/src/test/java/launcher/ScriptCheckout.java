package launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
     * @param root the checkout made by {@link #copyTo}
     * @param args the script's arguments
     * @return a process builder running the script there, with the JDK that runs this test
     */
    static ProcessBuilder script(Path root, String... args) {
        List<String> command = new ArrayList<>(List.of(root.resolve("patchbay").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        // This JDK, whatever else the machine has.
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        builder.environment().put("JAVA_HOME", java.getParent().getParent().toString());
        return builder;
    }
}
