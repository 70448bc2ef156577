package net.posix;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Encodes and decodes {@code struct sockaddr_in}, {@code sockaddr_in6} and {@code sockaddr_un}. */
final class SocketAddresses {

    /** {@code sizeof(struct sockaddr_storage)}. */
    static final int STORAGE = 128;
    /** {@code sizeof(sun_path)}. */
    static final int UNIX_PATH_MAX = 108;

    private static final java.lang.foreign.ValueLayout.OfShort PORT =
            JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    private SocketAddresses() {
    }

    /**
     * @param address an IPv4/IPv6 socket address or a unix-domain path
     * @param into    at least {@link #STORAGE} bytes
     * @return the encoded length
     * @throws PosixException (EINVAL) for an address of another kind or a path that is too long
     */
    static int encode(SocketAddress address, MemorySegment into) throws PosixException {
        into.asSlice(0, STORAGE).fill((byte) 0);
        if (address instanceof InetSocketAddress inet) {
            if (inet.isUnresolved()) {
                throw new PosixException(Libc.EINVAL, "address " + inet.getHostString() + " is not resolved");
            }
            InetAddress ip = inet.getAddress();
            into.set(PORT, 2, (short) inet.getPort());
            if (ip instanceof Inet4Address) {
                into.set(JAVA_SHORT, 0, (short) Libc.AF_INET);
                MemorySegment.copy(ip.getAddress(), 0, into, JAVA_BYTE, 4, 4);
                return 16;
            }
            into.set(JAVA_SHORT, 0, (short) Libc.AF_INET6);
            MemorySegment.copy(ip.getAddress(), 0, into, JAVA_BYTE, 8, 16);
            into.set(JAVA_INT, 24, ((Inet6Address) ip).getScopeId());
            return 28;
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            byte[] path = unix.getPath().toString().getBytes(StandardCharsets.UTF_8);
            if (path.length >= UNIX_PATH_MAX) {
                throw new PosixException(Libc.EINVAL, "unix socket path too long (" + path.length + " bytes, at most "
                        + (UNIX_PATH_MAX - 1) + ")");
            }
            into.set(JAVA_SHORT, 0, (short) Libc.AF_UNIX);
            MemorySegment.copy(path, 0, into, JAVA_BYTE, 2, path.length);
            return 2 + path.length + 1;
        }
        throw new PosixException(Libc.EINVAL, "unsupported address " + address);
    }

    /**
     * @param from   an encoded address
     * @param length its length as the kernel reported it
     * @return the address, or null for a family this class does not know (or an unnamed unix socket)
     */
    static SocketAddress decode(MemorySegment from, int length) {
        if (length < 2) {
            return null;
        }
        int family = from.get(JAVA_SHORT, 0);
        try {
            return switch (family) {
                case Libc.AF_INET -> new InetSocketAddress(
                        InetAddress.getByAddress(from.asSlice(4, 4).toArray(JAVA_BYTE)),
                        Short.toUnsignedInt(from.get(PORT, 2)));
                case Libc.AF_INET6 -> new InetSocketAddress(inet6(from.asSlice(8, 16).toArray(JAVA_BYTE),
                        from.get(JAVA_INT, 24)), Short.toUnsignedInt(from.get(PORT, 2)));
                case Libc.AF_UNIX -> unixPath(from, length);
                default -> null;
            };
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4- and 16-byte addresses
        }
    }

    private static InetAddress inet6(byte[] address, int scope) throws UnknownHostException {
        return scope == 0 ? InetAddress.getByAddress(address) : Inet6Address.getByAddress(null, address, scope);
    }

    private static SocketAddress unixPath(MemorySegment from, int length) {
        int end = 2;
        while (end < length && from.get(JAVA_BYTE, end) != 0) {
            end++;
        }
        if (end == 2) {
            return null;
        }
        return UnixDomainSocketAddress.of(new String(from.asSlice(2, end - 2).toArray(JAVA_BYTE),
                StandardCharsets.UTF_8));
    }
}
