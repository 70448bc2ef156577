package net.backend.dump;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.api.NetException;
import net.control.qmp.QmpCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * QMP {@code x-capture-start}: records a netdev into a file or a new named pipe ({@code "file": "-"});
 * returns {@code {"id": CAPTURE-ID, "file": PATH}}, PATH being the pipe made.
 */
@Component(service = QmpCommand.class, property = QmpCommand.NAME + "=" + CaptureStartCommand.NAME)
public final class CaptureStartCommand implements QmpCommand<CaptureStartArguments> {

    /** The command's name on the wire. */
    public static final String NAME = "x-capture-start";

    private final LiveCaptures captures;

    /** @param captures the live captures */
    @Activate
    public CaptureStartCommand(@Reference LiveCaptures captures) {
        this.captures = captures;
    }

    @Override
    public Class<CaptureStartArguments> argumentsType() {
        return CaptureStartArguments.class;
    }

    @Override
    public Object execute(CaptureStartArguments arguments) throws NetException {
        PipeAccess access = arguments.mode() == null && arguments.group() == null ? null
                : PipeAccess.of(arguments.mode(), arguments.group());
        if (arguments.netdev() != null && arguments.netdevs() != null) {
            throw NetException.generic("Parameters 'netdev' and 'netdevs' are mutually exclusive");
        }
        List<String> netdevs = arguments.netdevs() != null ? arguments.netdevs()
                : arguments.netdev() != null ? List.of(arguments.netdev()) : List.of();
        LiveCaptures.Started c = captures.start(netdevs, arguments.file(), arguments.maxlen(), access,
                arguments.format());
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("id", c.id());
        reply.put("file", c.file().toString());
        return reply;
    }
}
