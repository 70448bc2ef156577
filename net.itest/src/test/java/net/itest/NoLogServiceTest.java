package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.LinkedHashMap;
import java.util.Map;
import javax.inject.Inject;
import net.control.NetControl;
import net.control.Section;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.osgi.framework.BundleContext;
import org.osgi.service.log.LoggerFactory;

/**
 * A framework without a log service (the log API package is there, no service): the runtime starts
 * and works, logging through System.Logger instead. Felix only: Equinox's system bundle always
 * registers a log service (so it is not in the build's equinox.tests).
 */
@RunWith(PaxExam.class)
public class NoLogServiceTest {

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay(false);
    }

    @Test
    public void theRuntimeRunsWithoutALogService() throws Exception {
        assertNull("no log service", context.getServiceReference(LoggerFactory.class));
        Map<String, Object> hubport = new LinkedHashMap<>();
        hubport.put("type", "hubport");
        hubport.put("id", "h0");
        hubport.put("hubid", "0");
        control.add(Section.NETDEV, hubport);
        Await.await("h0 to be active", () -> control.client("h0").state().equals("active"));
        control.netdevDel("h0");
        assertEquals("h0 deleted", false, ControlQueries.clientExists(control, "h0"));
    }
}
