package net.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A netfilter object type ({@code -object filter-dump,id=f0,netdev=n0,...}), registered with the
 * service property {@value #TYPE}. The runtime handles the properties common to all filters
 * ({@code netdev}, {@code queue}, {@code status}, {@code position}, {@code insert}); the record
 * receives the rest.
 *
 * @param <O> the option record of the type's own properties
 */
@ConsumerType
public interface NetFilterDriver<O> {

    /** Service property naming the QOM type. */
    String TYPE = "filter.type";

    /** @return the record class the type's own properties are bound into */
    Class<O> optionsType();

    /**
     * Opens a filter on the event loop of its netdev.
     *
     * @param options the bound options
     * @param context the runtime side of the filter
     * @return the filter
     * @throws NetException when the options are inconsistent or the filter cannot be opened
     */
    NetFilter open(O options, NetFilterContext context) throws NetException;
}
