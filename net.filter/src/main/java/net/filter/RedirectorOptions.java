package net.filter;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The own properties of {@code filter-redirector}.
 *
 * @param indev          the chardev whose frames are passed on, or null
 * @param outdev         the chardev the filter's frames go to instead of on, or null
 * @param vnetHdrSupport whether the framing carries the vnet header length field
 */
public record RedirectorOptions(String indev, String outdev, @JsonProperty("vnet_hdr_support") Boolean vnetHdrSupport) {
}
