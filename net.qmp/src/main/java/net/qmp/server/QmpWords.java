package net.qmp.server;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.api.NetException;

/**
 * The runtime speaks as QEMU's command line does (QemuOpts); where QEMU 7.2's QMP words the same
 * error differently, the reply uses QMP's words.
 */
final class QmpWords {

    private static final Pattern INVALID_PARAMETER = Pattern.compile("Invalid parameter '(.*)'");
    private static final Pattern DUPLICATE = Pattern.compile("(Duplicate ID '.*') for (netdev|object)");

    private QmpWords() {
    }

    /**
     * @param e an error of the runtime
     * @return the same error as QMP says it
     */
    static NetException of(NetException e) {
        Matcher m = INVALID_PARAMETER.matcher(e.getMessage());
        if (m.matches()) {
            return QmpArguments.unexpected(m.group(1));
        }
        m = DUPLICATE.matcher(e.getMessage());
        if (m.matches()) {
            return new NetException(e.errorClass(), m.group(1));
        }
        return e;
    }
}
