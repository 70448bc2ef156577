package net.api;

import org.osgi.annotation.versioning.ProviderType;

/** A monotonic counter owned by one client; increment it on the client's event loop. */
@ProviderType
public interface NetCounter {

    /** Adds one. */
    void increment();

    /** @param n the amount to add */
    void add(long n);

    /** @return the current value */
    long get();
}
