package net.control.qmp;

import net.api.NetException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A QMP command contributed by a bundle, registered with the service property {@value #NAME}
 * naming it on the wire (use QEMU's conventions: dashes, and an {@code x-} or
 * {@code __com.example_} prefix for anything QEMU does not have).
 *
 * @param <A> the argument record: components named as the JSON members, bound from the request's
 *            {@code arguments} with QMP's strict typing; a record with no components for none
 */
@ConsumerType
public interface QmpCommand<A> {

    /** Service property: the command's name. */
    String NAME = "qmp.command";

    /** @return the argument record class */
    Class<A> argumentsType();

    /**
     * Runs the command on a management thread (never an event loop); may block briefly.
     *
     * @param arguments the bound arguments
     * @return the {@code return} value: a record, map, list, string, number or boolean; null for
     *         {@code {}}
     * @throws NetException the {@code error} to reply with
     */
    Object execute(A arguments) throws NetException;
}
