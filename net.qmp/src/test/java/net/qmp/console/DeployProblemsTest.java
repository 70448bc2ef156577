package net.qmp.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.resource.Requirement;
import org.osgi.resource.Resource;

class DeployProblemsTest {

    private static Requirement requirement(String namespace, String filter) {
        return new Requirement() {
            @Override
            public String getNamespace() {
                return namespace;
            }

            @Override
            public Map<String, String> getDirectives() {
                return Map.of("filter", filter);
            }

            @Override
            public Map<String, Object> getAttributes() {
                return Map.of();
            }

            @Override
            public Resource getResource() {
                return null;
            }
        };
    }

    @Test
    void packagesWithTheRangeBndWrote() {
        assertEquals("package net.api [3.0.0,4.0.0)", DeployProblems.describe(requirement("osgi.wiring.package",
                "(&(osgi.wiring.package=net.api)(version>=3.0.0)(!(version>=4.0.0)))")));
        assertEquals("package net.api 2.1.0", DeployProblems.describe(requirement("osgi.wiring.package",
                "(&(osgi.wiring.package=net.api)(version>=2.1.0))")));
        assertEquals("package foo.bar", DeployProblems.describe(requirement("osgi.wiring.package",
                "(osgi.wiring.package=foo.bar)")));
        assertEquals("package foo (1.0.0,2.0.0]", DeployProblems.describe(requirement("osgi.wiring.package",
                "(&(osgi.wiring.package=foo)(!(version<=1.0.0))(version<=2.0.0))")));
    }

    @Test
    void bundlesAndJava() {
        assertEquals("bundle org.example.lib [1.2.0,2.0.0)", DeployProblems.describe(requirement("osgi.wiring.bundle",
                "(&(osgi.wiring.bundle=org.example.lib)(bundle-version>=1.2.0)(!(bundle-version>=2.0.0)))")));
        assertEquals("Java SE 26", DeployProblems.describe(requirement("osgi.ee",
                "(&(osgi.ee=JavaSE)(version=26))")));
    }

    @Test
    void otherNamespacesAsTheyAre() {
        assertEquals("osgi.extender (&(osgi.extender=osgi.cdi)(version>=1.0.0))", DeployProblems.describe(
                requirement("osgi.extender", "(&(osgi.extender=osgi.cdi)(version>=1.0.0))")));
        assertEquals("org.patchbay.net.driver (net.type=x)",
                DeployProblems.describe(requirement("org.patchbay.net.driver", "(net.type=x)")));
    }

    @Test
    void filesBelowTheWorkingDirectoryAreRelative() {
        Path cwd = Path.of("").toAbsolutePath();
        assertEquals("deploy/foo.jar", DeployProblems.displayName(cwd.resolve("deploy/foo.jar").toUri().toString()));
        assertEquals("/elsewhere/foo.jar", DeployProblems.displayName("file:/elsewhere/foo.jar"));
        assertEquals("patchbay:bundles/x.jar", DeployProblems.displayName("patchbay:bundles/x.jar"));
    }
}
