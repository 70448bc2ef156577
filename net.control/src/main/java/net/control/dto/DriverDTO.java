package net.control.dto;

/**
 * A type that can be instantiated now.
 *
 * @param kind      {@code netdev}, {@code filter} or {@code nic}
 * @param type      the type name
 * @param bundle    the providing bundle's symbolic name ({@code net.hub} for built-in types)
 * @param version   the providing bundle's version
 * @param instances how many netdevs, filters or NICs use it
 */
public record DriverDTO(String kind, String type, String bundle, String version, int instances) {
}
