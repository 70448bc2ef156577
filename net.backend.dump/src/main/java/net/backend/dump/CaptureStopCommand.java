package net.backend.dump;

import net.api.NetException;
import net.control.qmp.QmpCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** QMP {@code x-capture-stop}: ends a capture; the file is complete and closed when it returns. */
@Component(service = QmpCommand.class, property = QmpCommand.NAME + "=" + CaptureStopCommand.NAME)
public final class CaptureStopCommand implements QmpCommand<CaptureStopArguments> {

    /** The command's name on the wire. */
    public static final String NAME = "x-capture-stop";

    private final LiveCaptures captures;

    /** @param captures the live captures */
    @Activate
    public CaptureStopCommand(@Reference LiveCaptures captures) {
        this.captures = captures;
    }

    @Override
    public Class<CaptureStopArguments> argumentsType() {
        return CaptureStopArguments.class;
    }

    @Override
    public Object execute(CaptureStopArguments arguments) throws NetException {
        captures.stop(arguments.id());
        return null;
    }
}
