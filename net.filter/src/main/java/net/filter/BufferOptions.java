package net.filter;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The own property of {@code filter-buffer}.
 *
 * @param interval the release period in microseconds, a QOM uint32
 */
public record BufferOptions(@JsonProperty(required = true) Long interval) {
}
