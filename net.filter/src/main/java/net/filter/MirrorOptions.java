package net.filter;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The own properties of {@code filter-mirror}.
 *
 * @param outdev         the chardev the copies go to
 * @param vnetHdrSupport whether each copy carries the vnet header length field
 */
public record MirrorOptions(@JsonProperty(required = true) String outdev,
        @JsonProperty("vnet_hdr_support") Boolean vnetHdrSupport) {
}
