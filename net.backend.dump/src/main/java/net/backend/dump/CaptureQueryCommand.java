package net.backend.dump;

import net.control.qmp.QmpCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * QMP {@code x-query-captures}: the live captures, each with its state, e.g.
 * {@code [{"id": "capture0", "netdev": "s0", "file": "/tmp/...", "pipe": true, "state": "recording",
 * "counters": {}}]}.
 */
@Component(service = QmpCommand.class, property = QmpCommand.NAME + "=" + CaptureQueryCommand.NAME)
public final class CaptureQueryCommand implements QmpCommand<CaptureQueryArguments> {

    /** The command's name on the wire. */
    public static final String NAME = "x-query-captures";

    private final LiveCaptures captures;

    /** @param captures the live captures */
    @Activate
    public CaptureQueryCommand(@Reference LiveCaptures captures) {
        this.captures = captures;
    }

    @Override
    public Class<CaptureQueryArguments> argumentsType() {
        return CaptureQueryArguments.class;
    }

    @Override
    public Object execute(CaptureQueryArguments arguments) {
        return captures.describe();
    }
}
