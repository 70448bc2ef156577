package net.itest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;

/**
 * A Gogo session as a person at the console has one: each command line is executed and its
 * result printed the way Gogo's shell prints it, and the test reads what appeared on the session's
 * output and error streams.
 */
final class GogoSession implements AutoCloseable {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream printer = new PrintStream(out, true, StandardCharsets.UTF_8);
    private final CommandSession session;

    private GogoSession(CommandProcessor processor) {
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, err);
        session.put("SCOPE", "patchbay:gogo:*"); // as the launcher's console profile sets it
    }

    /**
     * Opens a session once the {@code net:} commands are registered (net.console's component starts
     * after the control service, so it may lag behind the test).
     *
     * @param context   the test bundle's context
     * @param processor the Gogo runtime's command processor
     * @return the session
     */
    static GogoSession open(BundleContext context, CommandProcessor processor) {
        Await.await("the net: commands to be registered",
                () -> context.getServiceReferences((String) null, "(osgi.command.scope=net)") != null);
        return new GogoSession(processor);
    }

    /**
     * Runs one command line. Gogo's own failures (a line it cannot read, arguments no method
     * takes) are thrown; the commands are expected to report theirs as text.
     *
     * @param commandLine e.g. {@code net:add hubport id=h1 hubid=1}
     * @return what the session printed, output only
     * @throws Exception when Gogo cannot run the command
     */
    String run(String commandLine) throws Exception {
        out.reset();
        err.reset();
        Object result = session.execute(commandLine);
        if (result != null) {
            // What gogo.jline's shell does with a command's result.
            printer.println(session.format(result, Converter.INSPECT));
        }
        printer.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    /** @return what the last command wrote to the session's error stream */
    String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        session.close();
    }
}
