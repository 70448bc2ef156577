package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * A bundle that registers a {@code QmpCommand} adds a QMP command while it is installed: a QMP
 * client on a real socket sees it in {@code query-commands} and can call it; once the bundle is
 * uninstalled the command is gone, with QEMU's CommandNotFound error.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class QmpCommandHotDeployTest {

    private static final String ECHO = "x-example-echo";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return Provisioning.console();
    }

    @Test
    public void commandComesAndGoesWithItsBundle() throws Exception {
        try (QmpEndpoint endpoint = QmpEndpoint.open(context, "tcp:127.0.0.1:0");
                QmpClient qmp = QmpClient.connect(endpoint.port())) {
            assertTrue("greeting: " + qmp.greeting(), qmp.greeting().path("QMP").has("capabilities"));
            qmp.negotiate();
            assertTrue("query-commands lists itself", commands(qmp).contains("query-commands"));
            assertFalse("x-example-echo before its bundle is there", commands(qmp).contains(ECHO));
            assertCommandNotFound(qmp.execute(ECHO, Map.of("text", "hello")));

            Bundle bundle = context.installBundle(Provisioning.url(Provisioning.QMPCOMMAND));
            try {
                bundle.start();
                Await.await(ECHO + " in query-commands", () -> commands(qmp).contains(ECHO));
                assertEquals(reply("return", Map.of("text", "hello")), qmp.execute(ECHO, Map.of("text", "hello")));
                assertEquals(reply("error", Map.of("class", "GenericError", "desc", "Parameter 'text' must not be empty")),
                        qmp.execute(ECHO, Map.of("text", "")));
                // Bound into the bundle's own record, with QMP's argument errors, before the command runs.
                assertEquals(reply("error", Map.of("class", "GenericError", "desc", "Parameter 'text' is missing")),
                        qmp.execute(ECHO, Map.of()));
            } finally {
                bundle.uninstall();
            }
            Await.await(ECHO + " gone from query-commands", () -> !commands(qmp).contains(ECHO));
            assertCommandNotFound(qmp.execute(ECHO, Map.of("text", "hello")));
        }
    }

    private static List<String> commands(QmpClient qmp) throws IOException {
        JsonNode reply = qmp.execute("query-commands", null);
        assertTrue("query-commands returns a list: " + reply, reply.path("return").isArray());
        List<String> names = new ArrayList<>();
        reply.get("return").forEach(c -> names.add(c.path("name").asText()));
        return names;
    }

    private static void assertCommandNotFound(JsonNode reply) {
        assertEquals(reply("error", Map.of("class", "CommandNotFound", "desc", "The command " + ECHO + " has not been found")),
                reply);
    }

    private static JsonNode reply(String member, Object value) {
        return JSON.valueToTree(Map.of(member, value));
    }
}
