package net.api;

import org.osgi.annotation.versioning.ProviderType;

/** A channel registered with a {@link NetEventLoop}; use it on the loop's thread only. */
@ProviderType
public interface IoRegistration {

    /** @param ops the new interest set; read interest stays off while the client's reading is paused */
    void interestOps(int ops);

    /** @return the interest set as requested */
    int interestOps();

    /** Stops watching the channel. The channel itself stays open: closing it is the backend's job. */
    void cancel();
}
