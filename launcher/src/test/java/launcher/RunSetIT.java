package launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The built repository and jar against the resolved {@code patchbay.bndrun}: the index offers every
 * Patchbay bundle, and the jar carries exactly the run set the resolver chose.
 */
class RunSetIT {

    private static final Path JAR = Path.of(System.getProperty("patchbay.jar"));
    private static final Path INDEX = JAR.resolveSibling("repository").resolve("index.xml");
    /** The reactor's root, whose modules are Patchbay. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void theIndexListsEveryPatchbayBundle() throws IOException {
        Set<String> indexed = matches(Files.readString(INDEX),
                Pattern.compile("<attribute name=\"osgi.identity\" value=\"([^\"]+)\"/>"));
        Set<String> bundles = patchbayBundles();
        assertTrue(bundles.size() >= 15, "the reactor's bundles: " + bundles);
        Set<String> missing = new TreeSet<>(bundles);
        missing.removeAll(indexed);
        assertEquals(Set.of(), missing, "Patchbay bundles not in " + INDEX
                + " (add them to launcher/pom.xml and, if they run, to patchbay.bndrun's -runrequires)");
    }

    @Test
    void theJarEmbedsExactlyTheResolvedRunSet() throws IOException {
        try (FileSystem jar = FileSystems.newFileSystem(JAR)) {
            RunBundles run;
            try (InputStream in = Files.newInputStream(jar.getPath("/" + RunBundles.FILE))) {
                run = RunBundles.read(in);
            }
            List<RunBundles.Entry> embedded = new ArrayList<>();
            List<String> extra = new ArrayList<>();
            try (Stream<Path> files = Files.list(jar.getPath("/bundles"))) {
                for (Path file : files.sorted().toList()) {
                    RunBundles.Entry entry = run.entryOf(file);
                    if (entry == null) {
                        extra.add(file.getFileName().toString());
                    } else {
                        embedded.add(entry);
                    }
                }
            }
            assertEquals(List.of(), extra, "embedded but not resolved");
            assertEquals(new TreeSet<>(run.entries().stream().map(Object::toString).toList()),
                    new TreeSet<>(embedded.stream().map(Object::toString).toList()), "resolved vs embedded");
            assertEquals(run.entries().size(), embedded.size());
            assertNotNull(run.entries().stream().filter(e -> e.symbolicName().equals("net.hub")).findFirst()
                    .orElse(null), "net.hub comes with what requires it");
        }
    }

    /** The reactor modules that are bundles, examples left out (they are not part of a runtime). */
    private static Set<String> patchbayBundles() throws IOException {
        Set<String> bundles = new TreeSet<>();
        for (String module : matches(Files.readString(ROOT.resolve("pom.xml")), Pattern.compile("<module>([^<]+)</module>"))) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            if (!pom.contains("<bnd.skip>true</bnd.skip>") && !module.startsWith("net.example.")) {
                bundles.add(module);
            }
        }
        return bundles;
    }

    private static Set<String> matches(String text, Pattern pattern) {
        Set<String> found = new TreeSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
