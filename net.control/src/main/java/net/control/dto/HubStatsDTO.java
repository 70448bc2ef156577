package net.control.dto;

import java.util.List;
import java.util.Map;

/**
 * A hub's totals: the sums of its ports' counters. A port's rx is what its peer handed to the
 * hub, its tx what the hub handed to its peer, so the hub's rx counts frames in and its tx frames
 * out (one frame in is as many out as the hub forwards it to). Read when asked, not sampled.
 *
 * @param id       the hub id ({@code hubid})
 * @param ports    the names of its ports, newest first (QEMU's forwarding order)
 * @param rxFrames frames its ports took from their peers, since each port was created
 * @param rxBytes  their bytes
 * @param txFrames frames its ports handed to their peers
 * @param txBytes  their bytes
 * @param queued   frames waiting in its ports' queues now
 * @param drops    frames its ports lost, by reason
 * @param rate     the hub's rates over the last sampling interval, the sums of its ports' rates;
 *                 null before the first
 * @since 2.1
 */
public record HubStatsDTO(int id, List<String> ports, long rxFrames, long rxBytes, long txFrames, long txBytes,
        int queued, Map<String, Long> drops, RateDTO rate) {
}
