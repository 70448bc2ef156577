package net.backend.dump;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Arguments of {@code x-capture-start}.
 *
 * @param netdev  the netdev to record; or
 * @param netdevs the netdevs to record into one file (pcapng, one interface each, by default)
 * @param file   the capture file (an existing named pipe works too), or {@code -} for a new named
 *               pipe in the temporary directory
 * @param maxlen the snap length; 65536 when absent
 * @param mode   for {@code -}: the pipe's mode as octal text ({@code "0640"}); 0600, or 0640 with
 *               a group, when absent
 * @param group  for {@code -}: the pipe's group, whose members may read it
 * @param format {@code pcap} or {@code pcapng}; pcap for one netdev, pcapng for several when absent
 */
public record CaptureStartArguments(String netdev, List<String> netdevs,
        @JsonProperty(required = true) String file, Long maxlen, String mode, String group, String format) {
}
