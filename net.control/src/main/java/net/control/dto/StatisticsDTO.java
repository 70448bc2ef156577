package net.control.dto;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the runtime measured: hub totals and event-loop counters now, and the rates of its last
 * sampling interval (the runtime samples every client's counters once a second, so a front end
 * asks for this once and every client's rate is in it, instead of polling each one). It samples
 * while someone asks: after a minute without a call it stops, and the next call starts it again
 * and finds no rates yet (interval 0), as right after start-up.
 *
 * <p>A client's rate is the growth of its counters between two samples divided by the time between
 * them; a client added since the previous sample is measured from zero at that sample. The maps
 * hold the clients the last sample found that still exist: one added since is missing until the
 * next sample, one deleted is gone at once.
 *
 * @param time       when the rates' interval ended (the epoch before the first)
 * @param interval   the length of that interval, in seconds (about 1); 0 before the first, when the
 *                   maps are empty and the hubs' rates null
 * @param generation changes whenever a netdev, hubport, NIC or filter is added, removed or changes
 *                   state or link: a front end that drew the topology asks for it again
 *                   ({@link net.control.NetControl#network()}) when this differs from what it drew.
 *                   It may also change when nothing visible did (an operation that failed), never
 *                   for traffic or queries
 * @param netdevs    the rates of each netdev and hubport, by id
 * @param nics       the rates of each NIC, by name (a NIC may have a netdev's name)
 * @param hubs       every hub's totals, newest first
 * @param loops      the event loops, in their order
 * @since 2.1
 */
public record StatisticsDTO(Instant time, double interval, long generation, Map<String, RateDTO> netdevs,
        Map<String, RateDTO> nics, List<HubStatsDTO> hubs, List<EventLoopDTO> loops) {
}
