package net.control.dto;

/**
 * How fast frames went through a client or hub over the runtime's last sampling interval
 * ({@link StatisticsDTO#interval()}), in the directions of {@link CountersDTO}.
 *
 * @param rxFramesPerSecond frames taken per second
 * @param rxBitsPerSecond   their bits per second (frame bytes times 8, no wire overhead)
 * @param txFramesPerSecond frames sent per second
 * @param txBitsPerSecond   their bits per second
 * @param dropsPerSecond    frames lost per second, every reason together
 * @since 2.1
 */
public record RateDTO(double rxFramesPerSecond, double rxBitsPerSecond, double txFramesPerSecond,
        double txBitsPerSecond, double dropsPerSecond) {
}
