package net.backend.tap;

/**
 * QEMU's {@code NetdevBridgeOptions} ({@code -netdev bridge,...}).
 *
 * @param br     the bridge; {@code br0} when absent
 * @param helper the bridge helper; QEMU's installed helper when absent
 */
public record BridgeOptions(String br, String helper) {
}
