package net.chardev;

import java.util.Map;
import net.api.NetEventLoop;
import net.api.NetException;
import org.osgi.annotation.versioning.ProviderType;

/** The chardevs that exist ({@code -chardev}, {@code chardev-add}), as a service. */
@ProviderType
public interface Chardevs {

    /**
     * Creates a chardev from a {@code -chardev} option, QEMU's command-line form.
     *
     * @param options the option as {@code QemuOptions.parse(value, "backend")} reads it, e.g.
     *                {@code backend=socket, id=c0, path=/tmp/c0.sock, server=on, wait=off}
     * @return the chardev's id
     * @throws NetException in QEMU's words ({@code Duplicate ID 'c0' for chardev}, {@code Failed to
     *                      connect to '...': Connection refused}, ...)
     */
    String add(Map<String, Object> options) throws NetException;

    /**
     * Attaches a front end (QEMU's {@code qemu_chr_fe_init}): from now on the chardev does its I/O
     * on {@code loop} and reports to {@code handler}; a chardev takes one front end at a time.
     * When it is connected already, {@link ChardevHandler#opened()} follows on the loop.
     *
     * @param id      the chardev's id
     * @param loop    the front end's loop (call from it, or before anything else uses the loop)
     * @param handler the front end
     * @return the attachment; close it to let the chardev go (its connection stays)
     * @throws NetException {@code DeviceNotFound} {@code Device 'ID' not found}, or
     *                      {@code Device 'ID' is in use}
     */
    ChardevPort attach(String id, NetEventLoop loop, ChardevHandler handler) throws NetException;
}
