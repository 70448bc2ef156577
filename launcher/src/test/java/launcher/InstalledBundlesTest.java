package launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kept storage on real files: what is linked, what is copied, what is left out, and when it is used. */
class InstalledBundlesTest {

    @TempDir
    Path dir;
    private Path jar;
    private Path storage;

    @BeforeEach
    void felixStorage() throws IOException {
        jar = Files.writeString(dir.resolve("patchbay.jar"), "a launcher");
        storage = dir.resolve("run-1/felix");
        Files.createDirectories(storage.resolve("bundle1/version0.0"));
        Files.writeString(storage.resolve("bundle1/bundle.info"), "1\npatchbay:bundles/a.jar\n2\n");
        Files.writeString(storage.resolve("bundle1/version0.0/bundle.jar"), "bundle a");
        Files.writeString(storage.resolve("cache.lock"), "");
    }

    @Test
    void aStartCopiesWhatTheFirstKeptLinkingTheJarsAndCopyingTheRest() throws IOException {
        InstalledBundles.of(jar).orElseThrow().keep(storage);
        Path copy = dir.resolve("run-2/felix");

        assertTrue(InstalledBundles.of(jar).orElseThrow().copyTo(copy));

        assertEquals(List.of("bundle1", "bundle1/bundle.info", "bundle1/version0.0", "bundle1/version0.0/bundle.jar"),
                tree(copy), "Felix's lock stays with the storage it locks");
        assertEquals("1\npatchbay:bundles/a.jar\n2\n", Files.readString(copy.resolve("bundle1/bundle.info")));
        assertTrue(Files.isSameFile(storage.resolve("bundle1/version0.0/bundle.jar"),
                copy.resolve("bundle1/version0.0/bundle.jar")), "a bundle's jar is linked, not copied");
        Files.writeString(copy.resolve("bundle1/bundle.info"), "1\npatchbay:bundles/a.jar\n32\n");
        assertEquals("1\npatchbay:bundles/a.jar\n2\n", Files.readString(kept().resolve("bundle1/bundle.info")),
                "a state a start writes is its own");
    }

    @Test
    void nothingIsCopiedBeforeAStartKeptIt() {
        Path copy = dir.resolve("run-2/felix");

        assertFalse(InstalledBundles.of(jar).orElseThrow().copyTo(copy));

        assertFalse(Files.exists(copy));
    }

    @Test
    void aRebuiltJarStartsFromScratchAndItsFirstStartRemovesWhatTheOldOneKept() throws IOException {
        InstalledBundles.of(jar).orElseThrow().keep(storage);
        Path old = kept();
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));

        assertFalse(InstalledBundles.of(jar).orElseThrow().copyTo(dir.resolve("run-2/felix")));
        InstalledBundles.of(jar).orElseThrow().keep(storage);

        assertFalse(Files.exists(old));
        assertTrue(Files.isDirectory(kept()));
        assertEquals(List.of("patchbay.jar", "run-1"), names(dir).stream().filter(n -> !n.endsWith(".bundles")).toList(),
                "nothing of the copy that was not made, no temporary directory");
    }

    @Test
    void aSecondKeepLeavesTheFirstAsItWas() throws IOException {
        InstalledBundles.of(jar).orElseThrow().keep(storage);
        Files.writeString(storage.resolve("bundle1/bundle.info"), "changed");

        InstalledBundles.of(jar).orElseThrow().keep(storage);

        assertEquals("1\npatchbay:bundles/a.jar\n2\n", Files.readString(kept().resolve("bundle1/bundle.info")));
        assertEquals(List.of("patchbay.jar", "run-1"), names(dir).stream().filter(n -> !n.endsWith(".bundles")).toList(),
                "no temporary directory is left");
    }

    @Test
    void theLauncherRunFromItsClassesKeepsNothing() {
        assertTrue(InstalledBundles.of(dir).isEmpty());
    }

    /** @return the one directory kept beside the jar */
    private Path kept() throws IOException {
        List<String> kept = names(dir).stream().filter(n -> n.endsWith(".bundles")).toList();
        assertEquals(1, kept.size(), kept::toString);
        assertTrue(kept.get(0).startsWith("patchbay.jar." + Files.size(jar) + "-"), kept.get(0));
        return dir.resolve(kept.get(0));
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> list = Files.list(directory)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
