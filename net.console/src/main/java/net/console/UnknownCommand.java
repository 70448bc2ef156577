package net.console;

import org.osgi.service.component.annotations.Component;

/**
 * What the console prints for a command it does not know: HMP's {@code unknown command: 'foo'}
 * instead of Gogo's exception. Gogo calls a command named {@code default} (Java's keyword, so the
 * method is {@code _default}) with the unknown name and its arguments when it finds no command.
 */
@Component(service = UnknownCommand.class, property = {
        "osgi.command.scope=patchbay",
        "osgi.command.function=default"})
public class UnknownCommand {

    /**
     * @param command   the name that was typed
     * @param arguments what followed it
     * @return HMP's line for it
     */
    public String _default(String command, Object... arguments) {
        return "unknown command: '" + command + "'";
    }
}
