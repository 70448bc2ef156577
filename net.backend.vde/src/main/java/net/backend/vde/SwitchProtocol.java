package net.backend.vde;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import net.posix.Libc;
import net.posix.PosixException;

/**
 * vde_switch's port request, as its classic plug library sends it on the switch's control stream:
 * a version-3 request naming the client's datagram socket, answered by the {@code sockaddr_un} of
 * the switch's datagram socket for the new port. Host byte order (little-endian here) throughout.
 */
final class SwitchProtocol {

    /** What the switch reads as the start of a version-3 request. */
    static final int MAGIC = 0xFEEDFACE;
    static final int VERSION = 3;
    /** The size of {@code struct sockaddr_un}: a 2-byte family and 108 bytes of path. */
    static final int SOCKADDR_UN = 110;
    private static final int PATH_MAX = SOCKADDR_UN - 2;
    /** magic, version, request type, then the client's address. */
    private static final int HEADER = 12 + SOCKADDR_UN;
    /** The switch keeps at most this much of a description. */
    private static final int MAX_DESCRIPTION = 127;
    private static final int EPROTO = 71;

    private SwitchProtocol() {
    }

    /**
     * The request for a port.
     *
     * @param port        the port wanted, 0 for any free one
     * @param client      the path the client's datagram socket is bound to
     * @param description what the switch shows for the port ({@code port/print})
     * @return the request, ready to write (without a terminating NUL, as the plug library sends it)
     */
    static ByteBuffer request(int port, Path client, String description) {
        byte[] path = client.toString().getBytes(StandardCharsets.UTF_8);
        byte[] text = description.getBytes(StandardCharsets.UTF_8);
        int textLength = Math.min(text.length, MAX_DESCRIPTION);
        ByteBuffer request = ByteBuffer.allocate(HEADER + textLength).order(ByteOrder.nativeOrder());
        // Request type 0 asks for a new port; the port number wanted rides in the bits above 8.
        request.putInt(MAGIC).putInt(VERSION).putInt(port << 8);
        request.putShort((short) Libc.AF_UNIX).put(path, 0, Math.min(path.length, PATH_MAX - 1));
        request.position(HEADER).put(text, 0, textLength).flip();
        return request;
    }

    /**
     * @param reply the switch's answer, {@link #SOCKADDR_UN} bytes from position 0
     * @return the path of the switch's datagram socket for the port
     * @throws PosixException (EPROTO) when it is no unix socket address
     */
    static Path port(ByteBuffer reply) throws PosixException {
        ByteBuffer answer = reply.duplicate().order(ByteOrder.nativeOrder());
        if (answer.getShort(0) != Libc.AF_UNIX) {
            throw new PosixException(EPROTO, Libc.strerror(EPROTO));
        }
        int end = 2;
        while (end < SOCKADDR_UN && answer.get(end) != 0) {
            end++;
        }
        if (end == 2) {
            throw new PosixException(EPROTO, Libc.strerror(EPROTO));
        }
        byte[] path = new byte[end - 2];
        answer.get(2, path);
        return Path.of(new String(path, StandardCharsets.UTF_8));
    }
}
