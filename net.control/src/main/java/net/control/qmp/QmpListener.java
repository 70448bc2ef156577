package net.control.qmp;


import org.osgi.annotation.versioning.ProviderType;
/** One open QMP endpoint. */
@ProviderType
public interface QmpListener extends AutoCloseable {

    /** @return where it listens, in QEMU's syntax with the real port, e.g. {@code tcp:127.0.0.1:4444} */
    String address();

    /** Stops listening and disconnects its clients; a unix socket file is removed. */
    @Override
    void close();
}
