package net.example.qmpcommand;

import net.api.NetException;
import net.control.qmp.QmpCommand;
import org.osgi.service.component.annotations.Component;

/**
 * QMP command {@code x-example-echo}: returns its arguments, {@code {"text": ...}}. Small on
 * purpose: it shows the whole {@link QmpCommand} SPI, including an error reply.
 */
@Component(service = QmpCommand.class, property = QmpCommand.NAME + "=" + EchoCommand.NAME)
public final class EchoCommand implements QmpCommand<EchoArguments> {

    /** The command's name on the wire. */
    public static final String NAME = "x-example-echo";

    @Override
    public Class<EchoArguments> argumentsType() {
        return EchoArguments.class;
    }

    @Override
    public Object execute(EchoArguments arguments) throws NetException {
        if (arguments.text().isEmpty()) {
            throw NetException.generic("Parameter 'text' must not be empty");
        }
        // The record is the reply: the server serialises it as {"text": ...}.
        return arguments;
    }
}
