package net.console;

import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.control.qmp.QmpService;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * QEMU's monitor at the console: a line whose command the console does not know goes to HMP, so
 * {@code info network}, {@code set_link h1 off} or {@code netdev_add socket,id=s1,...} work as in
 * QEMU's monitor, and an unknown one gets HMP's {@code unknown command: 'foo'} instead of Gogo's
 * exception. Gogo calls a command named {@code default} (Java's keyword, so the method is {@code
 * _default}) with the unknown name and its arguments. {@code info} is named here too, since the
 * framework's SCR commands have an {@code info} of their own (still there as {@code scr:info}).
 */
@Component(service = UnknownCommand.class, property = {
        "osgi.command.scope=patchbay",
        "osgi.command.function=default",
        "osgi.command.function=info"})
public class UnknownCommand {

    /** Optional and dynamic: without the QMP bundle there is no monitor, only the console's own commands. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile QmpService qmp;

    /**
     * @param command   the name that was typed
     * @param arguments what followed it
     * @return HMP's output for the line
     */
    public String _default(String command, Object... arguments) {
        return monitor(command, arguments);
    }

    /**
     * @param items the item and its arguments, as HMP's {@code info} takes them
     * @return HMP's output
     */
    @Descriptor("show what QEMU's monitor shows: info network, info status, info version...; info alone lists them")
    public String info(@Descriptor("an item (network, status, version...)") Object... items) {
        return monitor("info", items);
    }

    private String monitor(String command, Object[] arguments) {
        QmpService server = qmp;
        if (server == null) {
            return "unknown command: '" + command + "'";
        }
        String line = Stream.concat(Stream.of(command), Arrays.stream(arguments).map(String::valueOf))
                .collect(Collectors.joining(" "));
        String out = server.humanMonitorCommand(line).stripTrailing();
        return out.isEmpty() ? null : out; // as HMP, a command that succeeds silently prints nothing
    }
}
