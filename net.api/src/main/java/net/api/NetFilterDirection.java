package net.api;

import com.fasterxml.jackson.annotation.JsonValue;

/** QAPI {@code NetFilterDirection}: which frames a filter sees. */
public enum NetFilterDirection {
    /** Both directions. */
    ALL,
    /** Frames sent to the netdev. */
    RX,
    /** Frames sent by the netdev. */
    TX;

    /** @return the QAPI spelling */
    @JsonValue
    public String qapiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
