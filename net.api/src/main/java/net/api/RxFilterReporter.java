package net.api;

import net.api.RxFilterInfo;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Implemented by a NIC's {@link NetClient} that can report its receive filter
 * ({@code query-rx-filter}). When the filter changes the NIC calls
 * {@link NetClientContext#rxFilterChanged()}; the runtime sends {@code NIC_RX_FILTER_CHANGED} with
 * QEMU's flood protection (at most one event between two queries). Its {@code main-mac} is also
 * the MAC {@code announce-self} sends the NIC's self-announcement from: a NIC that does not
 * report announces nothing.
 */
@ConsumerType
public interface RxFilterReporter {

    /**
     * Called on the NIC's event loop.
     *
     * @return the filter state now
     */
    RxFilterInfo rxFilter();
}
