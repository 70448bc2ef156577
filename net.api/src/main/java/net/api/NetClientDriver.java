package net.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A netdev backend type ({@code -netdev TYPE,...}), registered as an OSGi service with the service
 * property {@value #TYPE}{@code =<type>}. Annotate the component with {@link NetType} to set it.
 *
 * <p>The runtime keeps the netdev's options and its place in the topology; the driver only opens
 * and runs the backend. When the driver's service goes away every netdev it opened is closed and
 * kept pending; when a driver of the same type registers again they are opened again with it.
 *
 * @param <O> the option record: a Java record whose components are named as the QAPI members of
 *            the type (use {@code @JsonProperty("poll-us")} where a QAPI name is not a Java name,
 *            {@code @JsonProperty(required = true)} for mandatory members). {@code id} and
 *            {@code type} are the runtime's and never reach the record.
 */
@ConsumerType
public interface NetClientDriver<O> {

    /** Service property naming the QAPI netdev type this driver implements. */
    String TYPE = "net.type";

    /** @return the option record class that the runtime binds the netdev's options into */
    Class<O> optionsType();

    /**
     * Opens a backend for one netdev. Called on the netdev's event loop ({@link
     * NetClientContext#loop()}); must not block, beyond a short bounded wait QEMU makes too (a tap
     * up-script whose failure must fail the netdev). Blocking clean-up belongs in {@link
     * NetClient#release()}. Check option combinations here and fail with QEMU's message for them.
     *
     * @param options the bound options
     * @param context the runtime side of this netdev, valid until {@link NetClient#close()}
     * @return the backend; never null
     * @throws NetException when the options are inconsistent or the backend cannot be opened
     */
    NetClient open(O options, NetClientContext context) throws NetException;
}
