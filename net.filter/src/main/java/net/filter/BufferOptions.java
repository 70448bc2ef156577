package net.filter;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The own property of {@code filter-buffer}.
 *
 * @param interval the release period in microseconds, a QOM uint32 as text
 *                 ({@link net.driverkit.QemuNumbers} reads it)
 */
public record BufferOptions(@JsonProperty(required = true) String interval) {
}
