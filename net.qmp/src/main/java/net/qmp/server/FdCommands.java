package net.qmp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import net.api.NetException;
import net.posix.Libc;

/**
 * QEMU's descriptor-passing commands: {@code getfd}/{@code closefd} (the client's named
 * descriptors, {@link MonitorFds}) and {@code add-fd}/{@code remove-fd}/{@code query-fdsets}
 * (the server's {@link FdSets}). A descriptor travels with the command's bytes over a unix QMP
 * socket (SCM_RIGHTS); over TCP none can, and the commands say so as QEMU does.
 */
final class FdCommands {

    /** The commands, in the order {@code query-commands} lists them. */
    static final List<String> NAMES = List.of("getfd", "closefd", "add-fd", "remove-fd", "query-fdsets");

    private final FdSets fdSets;

    FdCommands(FdSets fdSets) {
        this.fdSets = fdSets;
    }

    /**
     * @param name      one of {@link #NAMES}
     * @param arguments its arguments
     * @param monitor   the client's descriptors
     * @return the {@code return} value
     * @throws NetException QEMU's errors
     */
    JsonNode execute(String name, QmpArguments arguments, MonitorFds monitor) throws NetException {
        return switch (name) {
            case "getfd" -> getfd(arguments, monitor);
            case "closefd" -> {
                String fdname = arguments.string("fdname");
                arguments.done();
                monitor.close(fdname);
                yield empty();
            }
            case "add-fd" -> {
                Long id = arguments.optionalInteger("fdset-id");
                String opaque = arguments.optionalString("opaque");
                arguments.done();
                yield fdSets.add(id, opaque, monitor.takeReceived());
            }
            case "remove-fd" -> {
                long id = arguments.integer("fdset-id");
                Long fd = arguments.optionalInteger("fd");
                arguments.done();
                fdSets.remove(id, fd);
                yield empty();
            }
            case "query-fdsets" -> {
                arguments.done();
                yield fdSets.query();
            }
            default -> throw QmpCommands.notFound(name);
        };
    }

    /** The descriptor is taken before the name is checked, so a refused one is closed, as in QEMU. */
    private static JsonNode getfd(QmpArguments arguments, MonitorFds monitor) throws NetException {
        String fdname = arguments.string("fdname");
        arguments.done();
        int fd = monitor.takeReceived();
        if (!fdname.isEmpty() && fdname.charAt(0) >= '0' && fdname.charAt(0) <= '9') {
            Libc.close(fd);
            throw NetException.generic("Parameter 'fdname' expects a name not starting with a digit");
        }
        monitor.name(fdname, fd);
        return empty();
    }

    private static ObjectNode empty() {
        return QmpJson.MAPPER.createObjectNode();
    }
}
