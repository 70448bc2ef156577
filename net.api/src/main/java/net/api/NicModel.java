package net.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An in-process NIC model ({@code -device MODEL,netdev=ID,...}), registered with the service
 * property {@value #TYPE}. The runtime handles {@code id} and {@code netdev}; the record receives
 * the rest (e.g. {@code mac}: {@code -nic ...,mac=} and {@code -net nic,macaddr=} reach it as
 * {@code mac}, written {@code xx:xx:xx:xx:xx:xx}). A property the record does not have is QEMU's
 * {@code Property 'MODEL.NAME' not found}.
 *
 * @param <O> the option record of the model's properties
 */
@ConsumerType
public interface NicModel<O> {

    /** Service property naming the model. */
    String TYPE = "nic.type";

    /** @return the record class the model's properties are bound into */
    Class<O> optionsType();

    /**
     * Opens a NIC on the event loop of its netdev.
     *
     * @param options the bound options
     * @param context the runtime side of the NIC
     * @return the NIC as a net client
     * @throws NetException when the options are inconsistent
     */
    NetClient open(O options, NetClientContext context) throws NetException;
}
