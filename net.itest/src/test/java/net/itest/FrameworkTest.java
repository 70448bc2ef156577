package net.itest;

import static org.junit.Assert.assertEquals;

import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.osgi.framework.BundleContext;

/**
 * The framework the tests run in is the one the build asked for (system property
 * {@code patchbay.itest.framework}, set per surefire execution), so the Equinox execution cannot
 * silently run on Felix again.
 */
@RunWith(PaxExam.class)
public class FrameworkTest {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay();
    }

    @Test
    public void runsOnTheFrameworkTheBuildChose() {
        String expected = System.getProperty("patchbay.itest.framework");
        assertEquals("system bundle (property patchbay.itest.framework)", expected,
                context.getBundle(0).getSymbolicName());
    }
}
