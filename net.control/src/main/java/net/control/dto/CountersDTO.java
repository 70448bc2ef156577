package net.control.dto;

import java.util.Map;

/**
 * Counters of one client since it was created.
 *
 * @param rxFrames frames delivered to the client
 * @param rxBytes  their bytes
 * @param txFrames frames the client sent that reached its peer
 * @param txBytes  their bytes
 * @param queued   frames waiting in the client's incoming queue now
 * @param drops    frames dropped, by reason ({@code link-down}, {@code no-peer}, {@code queue-full},
 *                 ...), and the driver's own counters
 */
public record CountersDTO(long rxFrames, long rxBytes, long txFrames, long txBytes, int queued,
        Map<String, Long> drops) {
}
