package net.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * QAPI {@code RxFilterInfo}: the receive filter state of a NIC ({@code query-rx-filter}).
 *
 * @param name              the NIC's name
 * @param promiscuous       promiscuous mode
 * @param multicast         {@code normal}, {@code none} or {@code all}
 * @param unicast           {@code normal}, {@code none} or {@code all}
 * @param vlan              {@code normal}, {@code none} or {@code all}
 * @param broadcastAllowed  whether broadcast frames are received
 * @param multicastOverflow the multicast table overflowed
 * @param unicastOverflow   the unicast table overflowed
 * @param mainMac           the primary MAC, lower case {@code xx:xx:xx:xx:xx:xx}
 * @param vlanTable         active VLAN ids
 * @param unicastTable      extra unicast MACs
 * @param multicastTable    multicast MACs
 */
public record RxFilterInfo(String name, boolean promiscuous, String multicast, String unicast, String vlan,
        @JsonProperty("broadcast-allowed") boolean broadcastAllowed,
        @JsonProperty("multicast-overflow") boolean multicastOverflow,
        @JsonProperty("unicast-overflow") boolean unicastOverflow,
        @JsonProperty("main-mac") String mainMac,
        @JsonProperty("vlan-table") List<Integer> vlanTable,
        @JsonProperty("unicast-table") List<String> unicastTable,
        @JsonProperty("multicast-table") List<String> multicastTable) {
}
