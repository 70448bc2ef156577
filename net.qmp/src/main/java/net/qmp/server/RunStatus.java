package net.qmp.server;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What Patchbay answers about its "VM": it has no guest, so it is always running, as a QEMU whose
 * guest runs ({@code query-status}, HMP {@code info status}); and it has no {@code -name}
 * ({@code query-name}, HMP {@code info name}).
 */
final class RunStatus {

    private static final String RUNNING = "running";

    private RunStatus() {
    }

    /** @return QAPI's {@code StatusInfo} */
    static ObjectNode status() {
        return QmpJson.MAPPER.createObjectNode().put("status", RUNNING).put("singlestep", false).put("running", true);
    }

    /** @return HMP's {@code info status} line */
    static String statusLine() {
        return "VM status: " + RUNNING + "\n";
    }

    /** @return QAPI's {@code NameInfo}: no {@code name} member, as QEMU without {@code -name} */
    static ObjectNode name() {
        return QmpJson.MAPPER.createObjectNode();
    }
}
