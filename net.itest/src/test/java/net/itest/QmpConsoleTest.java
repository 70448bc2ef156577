package net.itest;

import net.control.qmp.QmpService;
import static net.itest.TextRows.cells;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/** {@code net:qmp} shows the QMP server's endpoints and clients, and follows the server as it comes and goes. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class QmpConsoleTest {

    private static final String NOT_RUNNING = "QMP server not running\n";

    @Inject
    private BundleContext context;

    @Inject
    private CommandProcessor processor;

    @Inject
    private ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() {
        return Provisioning.console();
    }

    @Test
    public void showsTheEndpointAndItsClient() throws Exception {
        try (GogoSession gogo = GogoSession.open(context, processor);
                QmpEndpoint endpoint = QmpEndpoint.open(context, "tcp:127.0.0.1:0");
                QmpClient qmp = QmpClient.connect(endpoint.port())) {
            qmp.negotiate();
            for (int i = 0; i < 3; i++) {
                qmp.execute("query-version", null);
            }

            String text = gogo.run("net:qmp");
            assertEquals(text, List.of(endpoint.address(), "1"), cells(text, endpoint.address()));
            List<String> client = cells(text, qmp.localAddress());
            assertEquals(text, List.of(qmp.localAddress(), endpoint.address(), "yes"), client.subList(0, 3));
            assertTrue("the three query-version counted: " + text, Long.parseLong(client.get(client.size() - 1)) >= 3);
        }
    }

    @Test
    public void followsTheServerAsItComesAndGoes() throws Exception {
        ComponentDescriptionDTO server = Await.value("the component providing " + QmpService.class.getName(),
                () -> scr.getComponentDescriptionDTOs(bundle(Provisioning.QMP)).stream()
                        .filter(d -> Arrays.asList(d.serviceInterfaces).contains(QmpService.class.getName()))
                        .findFirst().orElse(null));
        try (GogoSession gogo = GogoSession.open(context, processor)) {
            Await.await("net:qmp to show the running server", () -> gogo.run("net:qmp").startsWith("ENDPOINT"));
            scr.disableComponent(server);
            Await.await("net:qmp to say the server is gone", () -> gogo.run("net:qmp").equals(NOT_RUNNING));
            scr.enableComponent(server);
            Await.await("net:qmp to show the server again", () -> gogo.run("net:qmp").startsWith("ENDPOINT"));
        }
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().equals(symbolicName))
                .findFirst().orElseThrow(() -> new AssertionError(symbolicName + " is not installed"));
    }
}
