package net.control.dto;

import java.util.Map;

/**
 * Counters of one client, in three groups. Directions are the client's own, as in QEMU: a frame
 * goes from one client to its peer, so the sender counts it as tx and the peer as rx. For a
 * backend, rx is what reached its wire from the hub or NIC, tx what it read from its wire and
 * handed on; for a hubport it is the reverse of its peer's view.
 *
 * @param rxFrames frames this client took from its peer (its receive accepted them), since the
 *                 netdev was created
 * @param rxBytes  their bytes
 * @param txFrames frames this client sent that its peer took
 * @param txBytes  their bytes
 * @param queued   frames waiting in the client's incoming queue now
 * @param drops    frames lost, by reason, since the netdev was created: the runtime's reasons
 *                 ({@code link-down}, {@code no-peer}, {@code peer-pending}, {@code queue-full},
 *                 {@code oversized}, {@code loop-queue-full}, {@code backend-error}, {@code purged})
 *                 and the driver's ({@code send-error}, {@code bad-length}, ...)
 * @param driver   the open backend's own counters of what is not a lost frame ({@code reconnect},
 *                 {@code eof}, ...); empty while nothing is open, reset when another driver opens it
 */
public record CountersDTO(long rxFrames, long rxBytes, long txFrames, long txBytes, int queued,
        Map<String, Long> drops, Map<String, Long> driver) {
}
