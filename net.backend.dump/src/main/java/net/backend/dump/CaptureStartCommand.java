package net.backend.dump;

import java.util.Map;
import net.api.NetException;
import net.control.qmp.QmpCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** QMP {@code x-capture-start}: records a netdev into a file; returns {@code {"id": CAPTURE-ID}}. */
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
        if (LiveCaptures.PIPE.equals(arguments.file())) {
            // A pipe made here would need its path returned and a reader started: the console's job.
            throw NetException.generic("Parameter 'file' expects a file name");
        }
        return Map.of("id", captures.start(arguments.netdev(), arguments.file(), arguments.maxlen()).id());
    }
}
