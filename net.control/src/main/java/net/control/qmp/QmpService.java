package net.control.qmp;

import java.util.List;
import net.api.NetException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The QMP server: opens endpoints and tells who is connected. Provided by the net.qmp bundle;
 * embedding code, front ends and tests open endpoints through it.
 */
@ProviderType
public interface QmpService {

    /**
     * Opens a QMP endpoint.
     *
     * @param address QEMU's syntax: {@code tcp:HOST:PORT[,server=on][,wait=off]} or
     *                {@code unix:PATH[,server=on][,wait=off]}; port 0 picks a free port
     * @return the open endpoint
     * @throws NetException GenericError in QEMU's words when the address is malformed or cannot
     *                      be bound
     */
    QmpListener listen(String address) throws NetException;

    /**
     * Opens a QMP endpoint as QEMU's {@code -qmp} does: with {@code server=on} it listens, as
     * {@link #listen} does; without it, it connects out to a QMP client that listens (a management
     * tool waiting for the monitor) and serves that one connection.
     *
     * @param address QEMU's syntax, as for {@link #listen}
     * @return the endpoint
     * @throws NetException GenericError in QEMU's words ({@code Failed to connect to 'HOST:PORT':
     *                      Connection refused}) when it cannot connect, or the address is malformed
     * @since 2.1
     */
    QmpListener open(String address) throws NetException;

    /** @return the endpoints open now */
    List<QmpListener> listeners();

    /** @return the clients connected now */
    List<QmpClientInfo> clients();

    /**
     * QEMU's HMP {@code quit} typed at a console: every negotiated client is sent {@code SHUTDOWN}
     * with reason {@code host-qmp-quit} (a bounded wait for it to be written), then the framework
     * stops, on a thread of its own.
     *
     * @since 2.1
     */
    void quit();

    /**
     * Runs a line of QEMU's human monitor (HMP), as QMP's {@code human-monitor-command} does, for a
     * console: {@code info network}, {@code set_link h1 off}, {@code netdev_add ...}.
     *
     * @param commandLine the line, as typed
     * @return HMP's output, lines ending in {@code \n}; errors are part of it ({@code Error: ...},
     *         {@code unknown command: 'x'}), as HMP prints them
     * @since 2.1
     */
    String humanMonitorCommand(String commandLine);
}
