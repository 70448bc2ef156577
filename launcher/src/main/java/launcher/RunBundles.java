package launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

/**
 * The {@code -runbundles} of a resolved bndrun file ({@code patchbay.bndrun}, which the build
 * resolves and embeds): the bundles the launcher installs, each a symbolic name and a version range.
 */
final class RunBundles {

    /** The run file's name, in the project and at the root of the launcher's jar. */
    static final String FILE = "patchbay.bndrun";

    /** One entry: {@code net.hub;version='[2.1.0,2.1.1)'}. */
    record Entry(String symbolicName, VersionRange versions) {

        /** @return whether a bundle of that name and version is this entry */
        boolean matches(String name, Version version) {
            return symbolicName.equals(name) && versions.includes(version);
        }

        @Override
        public String toString() {
            return symbolicName + " " + versions;
        }
    }

    private final List<Entry> entries;

    private RunBundles(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * @param bndrun the run file (bnd's syntax is a properties file's)
     * @return its {@code -runbundles}
     * @throws IOException when it cannot be read or has none
     */
    static RunBundles read(InputStream bndrun) throws IOException {
        Properties properties = new Properties();
        try (Reader in = new InputStreamReader(bndrun, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        String value = properties.getProperty("-runbundles");
        if (value == null || value.isBlank()) {
            throw new IOException(FILE + " has no -runbundles");
        }
        List<Entry> entries = new ArrayList<>();
        for (String clause : clauses(value)) {
            String[] parts = clause.split(";");
            VersionRange versions = new VersionRange(VersionRange.LEFT_CLOSED, Version.emptyVersion, null,
                    VersionRange.RIGHT_OPEN);
            for (int i = 1; i < parts.length; i++) {
                String part = parts[i].strip();
                if (part.startsWith("version=")) {
                    versions = new VersionRange(part.substring("version=".length()).replace("'", "").replace("\"", ""));
                }
            }
            entries.add(new Entry(parts[0].strip(), versions));
        }
        return new RunBundles(entries);
    }

    /** Splits at the commas outside quotes (a version range has one inside). */
    private static List<String> clauses(String value) {
        List<String> clauses = new ArrayList<>();
        StringBuilder clause = new StringBuilder();
        char quote = 0;
        for (char c : value.toCharArray()) {
            if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else if (c == ',' && quote == 0) {
                add(clauses, clause);
                continue;
            }
            clause.append(c);
        }
        add(clauses, clause);
        return clauses;
    }

    private static void add(List<String> clauses, StringBuilder clause) {
        if (!clause.toString().isBlank()) {
            clauses.add(clause.toString().strip());
        }
        clause.setLength(0);
    }

    /** @return the entries in the file's order */
    List<Entry> entries() {
        return entries;
    }

    /**
     * @param jar a bundle
     * @return the entry it is, or null when it is none of them (or no bundle)
     * @throws IOException when it cannot be read
     */
    Entry entryOf(Path jar) throws IOException {
        Manifest manifest;
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            manifest = in.getManifest();
        }
        if (manifest == null) {
            return null;
        }
        String name = manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
        String version = manifest.getMainAttributes().getValue(Constants.BUNDLE_VERSION);
        if (name == null) {
            return null;
        }
        String symbolicName = name.split(";")[0].strip();
        Version v = Version.parseVersion(version);
        return entries.stream().filter(e -> e.matches(symbolicName, v)).findFirst().orElse(null);
    }
}
