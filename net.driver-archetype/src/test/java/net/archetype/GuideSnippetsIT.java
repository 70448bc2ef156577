package net.archetype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every line of Java in {@code docs/writing-a-driver.md} is a line of the project the archetype
 * generates with the guide's own {@code archetype:generate} properties (projects/udp), so the guide
 * cannot drift from the template.
 */
class GuideSnippetsIT {

    private static final Path GENERATED = Path.of(System.getProperty("patchbay.generated"));
    private static final Path GUIDE = Path.of(System.getProperty("patchbay.guide"));

    @Test
    void theGuidesCodeIsTheTemplates() throws IOException {
        Set<String> sources = new HashSet<>();
        try (Stream<Path> files = Files.walk(GENERATED.resolve("src"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Files.readAllLines(file).forEach(l -> sources.add(l.strip()));
            }
        }
        List<String> code = new ArrayList<>();
        boolean inJava = false;
        for (String line : Files.readAllLines(GUIDE)) {
            if (line.startsWith("```")) {
                inJava = line.equals("```java");
            } else if (inJava && !line.isBlank()) {
                code.add(line.strip());
            } else if (line.contains("`throw NetException")) {
                code.add(line.replaceAll(".*`(throw NetException[^`]*)`.*", "$1"));
            }
        }
        assertTrue(code.size() > 10, "the guide's Java: " + code);
        List<String> missing = code.stream().filter(l -> !sources.contains(l)).toList();
        assertEquals(List.of(), missing, "lines of the guide that are not in " + GENERATED);
    }
}
