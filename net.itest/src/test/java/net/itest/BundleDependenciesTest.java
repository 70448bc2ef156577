package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The bundle map as the built manifests declare it: no cycles between Patchbay's bundles or
 * between its exported packages, every exported package versioned, the SPI and the system-call
 * library free of Patchbay, and drivers written against the public bundles only.
 */
public class BundleDependenciesTest {

    /** A Patchbay bundle as its manifest says: what it exports (with {@code uses}) and imports. */
    record Bundle(String name, Map<String, String> exportVersions, Map<String, Set<String>> uses, Set<String> imports,
            List<String> requirements, List<String> capabilities) {
    }

    private static final Map<String, Bundle> BUNDLES = new TreeMap<>();
    /** Exported package → the bundle exporting it. */
    private static final Map<String, String> EXPORTER = new TreeMap<>();

    @BeforeClass
    public static void readManifests() throws IOException {
        Path dir = Provisioning.jar("net.api").getParent();
        try (Stream<Path> jars = Files.list(dir)) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().startsWith("net.")).toList()) {
                Bundle b = read(jar);
                BUNDLES.put(b.name(), b);
                b.exportVersions().keySet().forEach(p -> EXPORTER.put(p, b.name()));
            }
        }
        assertTrue("the SPI bundles are there: " + BUNDLES.keySet(),
                BUNDLES.keySet().containsAll(List.of("net.api", "net.control", "net.posix", "net.driverkit", "net.hub")));
    }

    @Test
    public void noCycleBetweenBundles() {
        Map<String, Set<String>> edges = new LinkedHashMap<>();
        for (Bundle b : BUNDLES.values()) {
            Set<String> to = new LinkedHashSet<>();
            for (String p : b.imports()) {
                String exporter = EXPORTER.get(p);
                if (exporter != null && !exporter.equals(b.name())) {
                    to.add(exporter);
                }
            }
            edges.put(b.name(), to);
        }
        assertTrue("the graph is read: net.control uses net.api", edges.get("net.control").contains("net.api"));
        assertEquals("bundle cycle", List.of(), cycle(edges));
    }

    @Test
    public void noCycleBetweenExportedPackages() {
        Map<String, Set<String>> edges = new LinkedHashMap<>();
        for (Bundle b : BUNDLES.values()) {
            b.uses().forEach((p, used) -> edges.put(p, used.stream().filter(EXPORTER::containsKey)
                    .filter(u -> !u.equals(p)).collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new))));
        }
        assertTrue("the graph is read: " + edges.get("net.control"), edges.get("net.control").contains("net.api"));
        assertEquals("package cycle", List.of(), cycle(edges));
    }

    @Test
    public void everyExportedPackageHasAVersion() {
        for (Bundle b : BUNDLES.values()) {
            b.exportVersions().forEach((p, v) -> assertFalse(b.name() + " exports " + p + " without @Version",
                    v == null || v.startsWith("0.0.0")));
        }
    }

    @Test
    public void theSpiAndTheSystemCallsDependOnNothingOfPatchbay() {
        for (String name : List.of("net.api", "net.posix")) {
            Set<String> ours = new LinkedHashSet<>(BUNDLES.get(name).imports());
            ours.retainAll(EXPORTER.keySet());
            ours.removeAll(BUNDLES.get(name).exportVersions().keySet());
            assertEquals(name + " imports", Set.of(), ours);
        }
    }

    @Test
    public void driversUseThePublicBundlesOnly() {
        Set<String> allowed = Set.of("net.api", "net.control", "net.control.dto", "net.control.qmp", "net.posix", "net.chardev",
                "net.driverkit", "net.log");
        for (Bundle b : BUNDLES.values()) {
            if (b.name().startsWith("net.backend.") || b.name().startsWith("net.example.")) {
                for (String p : b.imports()) {
                    assertTrue(b.name() + " imports " + p, !EXPORTER.containsKey(p) || allowed.contains(p));
                }
            }
        }
    }

    /** The QMP server runs without a shell: Gogo is net.console's alone. */
    @Test
    public void theQmpServerNeedsNoShell() {
        Bundle qmp = BUNDLES.get("net.qmp");
        Bundle console = BUNDLES.get("net.console");
        assertTrue("net.qmp and net.console are provisioned: " + BUNDLES.keySet(), qmp != null && console != null);
        assertFalse("net.qmp imports " + qmp.imports(), qmp.imports().stream().anyMatch(p -> p.startsWith("org.apache.felix.service.command")));
        assertTrue("net.console imports Gogo: " + console.imports(), console.imports().contains("org.apache.felix.service.command"));
    }

    /** The console is a front end like any other: it reaches the runtime and the QMP server through their API. */
    @Test
    public void theConsoleUsesThePublicBundlesOnly() {
        Set<String> allowed = Set.of("net.api", "net.control", "net.control.dto", "net.control.qmp");
        for (String p : BUNDLES.get("net.console").imports()) {
            assertTrue("net.console imports " + p, !EXPORTER.containsKey(p) || allowed.contains(p));
        }
    }

    /**
     * The runtime and the drivers run without a log service (they fall back to System.Logger): no
     * mandatory requirement of one. net.qmp is left out: its stderr log and its explanation of
     * undeployable bundles exist to read the log (its QMP server binds the log optionally).
     */
    @Test
    public void theLogServiceIsOptional() {
        int checked = 0;
        for (Bundle b : BUNDLES.values()) {
            if (b.name().equals("net.qmp")) {
                continue;
            }
            for (String r : b.requirements()) {
                assertFalse(b.name() + " requires " + r, r.contains("org.osgi.service.log.") && !r.contains("resolution:=optional"));
            }
            checked++;
        }
        assertTrue("bundles checked: " + checked, BUNDLES.get("net.hub").requirements().stream()
                .anyMatch(r -> r.contains("org.osgi.service.log.LoggerFactory") && r.contains("resolution:=optional")));
    }

    /**
     * A resolver asked for a driver or the QMP server brings the runtime: each of them requires the
     * osgi.implementation capability net.hub provides, at resolve time.
     */
    @Test
    public void driversAndTheFrontEndRequireTheRuntime() {
        String provided = "osgi.implementation;osgi.implementation=\"org.patchbay.net\"";
        assertTrue("net.hub provides the runtime: " + BUNDLES.get("net.hub").capabilities(),
                BUNDLES.get("net.hub").capabilities().stream().anyMatch(c -> c.trim().startsWith(provided)));
        int drivers = 0;
        for (Bundle b : BUNDLES.values()) {
            boolean driver = b.capabilities().stream().anyMatch(c -> c.trim().startsWith("org.patchbay.net.driver;"));
            if (driver || b.name().equals("net.qmp")) {
                assertTrue(b.name() + " requires the runtime: " + b.requirements(), b.requirements().stream()
                        .anyMatch(r -> r.trim().startsWith("osgi.implementation;") && r.contains("(osgi.implementation=org.patchbay.net)")
                                && !r.contains("effective:=") && !r.contains("resolution:=optional")));
                drivers += driver ? 1 : 0;
            }
            assertFalse(b.name() + " declares the old driver namespace",
                    b.capabilities().stream().anyMatch(c -> c.trim().startsWith("net.driver;")));
        }
        assertTrue("drivers found: " + drivers, drivers >= 6);
    }

    /** Patchbay's NIC models are written as a third party's would be: against the SPI alone. */
    @Test
    public void nicModelsUseTheSpiOnly() {
        Bundle nic = BUNDLES.get("net.nic");
        assertTrue("net.nic is provisioned: " + BUNDLES.keySet(), nic != null);
        for (String p : nic.imports()) {
            assertTrue("net.nic imports " + p, !EXPORTER.containsKey(p) || p.equals("net.api"));
        }
    }

    private static Bundle read(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest m = file.getManifest();
            String name = m.getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].trim();
            Map<String, String> versions = new LinkedHashMap<>();
            Map<String, Set<String>> uses = new LinkedHashMap<>();
            for (String clause : clauses(m.getMainAttributes().getValue("Export-Package"))) {
                String pkg = clause.split(";")[0].trim();
                versions.put(pkg, attribute(clause, "version="));
                String used = attribute(clause, "uses:=");
                uses.put(pkg, used == null ? Set.of() : Set.of(used.split(",")));
            }
            Set<String> imports = new LinkedHashSet<>();
            for (String clause : clauses(m.getMainAttributes().getValue("Import-Package"))) {
                imports.add(clause.split(";")[0].trim());
            }
            return new Bundle(name, versions, uses, imports,
                    clauses(m.getMainAttributes().getValue("Require-Capability")),
                    clauses(m.getMainAttributes().getValue("Provide-Capability")));
        }
    }

    /** Splits a manifest header at the commas outside quotes. */
    private static List<String> clauses(String header) {
        List<String> out = new ArrayList<>();
        if (header == null) {
            return out;
        }
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        out.add(current.toString());
        return out;
    }

    /** @return the value of {@code key} (e.g. {@code version=}) in a clause, without quotes; or null */
    private static String attribute(String clause, String key) {
        for (String part : clause.split(";(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
            String p = part.trim();
            if (p.startsWith(key)) {
                return p.substring(key.length()).replace("\"", "");
            }
        }
        return null;
    }

    /** @return the nodes of a cycle in the graph, or an empty list */
    private static List<String> cycle(Map<String, Set<String>> edges) {
        Map<String, Integer> state = new LinkedHashMap<>(); // 1 = on the path, 2 = done
        List<String> path = new ArrayList<>();
        for (String start : edges.keySet()) {
            List<String> found = visit(start, edges, state, path);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> visit(String node, Map<String, Set<String>> edges, Map<String, Integer> state,
            List<String> path) {
        Integer s = state.get(node);
        if (s != null && s == 2) {
            return List.of();
        }
        if (s != null && s == 1) {
            List<String> loop = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
            loop.add(node);
            return loop;
        }
        state.put(node, 1);
        path.add(node);
        for (String next : edges.getOrDefault(node, Set.of())) {
            List<String> found = visit(next, edges, state, path);
            if (!found.isEmpty()) {
                return found;
            }
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return List.of();
    }
}
