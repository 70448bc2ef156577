package net.backend.user;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import net.api.NetException;

/**
 * The system's libslirp ({@code libslirp.so.0}, Debian's {@code libslirp0}), bound once with
 * {@code java.lang.foreign}: the calls a {@code user} netdev makes, and the layouts of
 * {@code SlirpConfig} (version 4, libslirp 4.7) and {@code SlirpCb} on LP64 Linux.
 */
final class Libslirp {

    /** The library's file name; the package that has it is named in the error. */
    static final String LIBRARY = "libslirp.so.0";

    static final int POLL_IN = 1;
    static final int POLL_OUT = 2;
    static final int POLL_PRI = 4;
    static final int POLL_ERR = 8;
    static final int POLL_HUP = 16;
    static final int HOSTFWD_UDP = 1;

    /** {@code SlirpConfig} version 4 (libslirp 4.7): offsets and size on LP64. */
    static final class Config {
        static final int VERSION = 0;
        static final int RESTRICTED = 4;
        static final int IN_ENABLED = 8;
        static final int VNETWORK = 12;
        static final int VNETMASK = 16;
        static final int VHOST = 20;
        static final int IN6_ENABLED = 24;
        static final int VPREFIX_ADDR6 = 28;
        static final int VPREFIX_LEN = 44;
        static final int VHOST6 = 48;
        static final int VHOSTNAME = 64;
        static final int TFTP_SERVER_NAME = 72;
        static final int TFTP_PATH = 80;
        static final int BOOTFILE = 88;
        static final int VDHCP_START = 96;
        static final int VNAMESERVER = 100;
        static final int VNAMESERVER6 = 104;
        static final int VDNSSEARCH = 120;
        static final int VDOMAINNAME = 128;
        static final int SIZE = 184;
        static final int VERSION_USED = 4;

        private Config() {
        }
    }

    /** {@code SlirpCb}: eleven function pointers, in this order. */
    enum Callback {
        SEND_PACKET, GUEST_ERROR, CLOCK_GET_NS, TIMER_NEW, TIMER_FREE, TIMER_MOD, REGISTER_POLL_FD,
        UNREGISTER_POLL_FD, NOTIFY, INIT_COMPLETED, TIMER_NEW_OPAQUE;

        /** @return the offset of this pointer in {@code SlirpCb} */
        long offset() {
            return (long) ordinal() * ADDRESS.byteSize();
        }

        static final long SIZE = values().length * ADDRESS.byteSize();
    }

    /** {@code struct in_addr}, passed by value. */
    private static final MemoryLayout IN_ADDR = MemoryLayout.structLayout(JAVA_INT.withName("s_addr"));

    private static final Libslirp INSTANCE;
    private static final String FAILURE;

    static {
        Libslirp lib = null;
        String failure = null;
        try {
            lib = new Libslirp(SymbolLookup.libraryLookup(LIBRARY, Arena.global()));
        } catch (IllegalArgumentException e) {
            failure = "user: " + LIBRARY + " not found; install the libslirp0 package";
        }
        INSTANCE = lib;
        FAILURE = failure;
    }

    final MethodHandle slirpNew;
    final MethodHandle cleanup;
    final MethodHandle pollfdsFill;
    final MethodHandle pollfdsPoll;
    final MethodHandle input;
    final MethodHandle handleTimer;
    final MethodHandle addHostxfwd;
    final MethodHandle removeHostxfwd;
    final MethodHandle addExec;
    final MethodHandle addGuestfwd;
    final MethodHandle socketCanRecv;
    final MethodHandle socketRecv;
    final MethodHandle connectionInfo;
    final MethodHandle versionString;
    final MethodHandle free;

    private Libslirp(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        slirpNew = bind(linker, lib, "slirp_new", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        cleanup = bind(linker, lib, "slirp_cleanup", FunctionDescriptor.ofVoid(ADDRESS));
        pollfdsFill = bind(linker, lib, "slirp_pollfds_fill",
                FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        pollfdsPoll = bind(linker, lib, "slirp_pollfds_poll",
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        input = bind(linker, lib, "slirp_input", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_INT));
        handleTimer = bind(linker, lib, "slirp_handle_timer", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS));
        addHostxfwd = bind(linker, lib, "slirp_add_hostxfwd",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        removeHostxfwd = bind(linker, lib, "slirp_remove_hostxfwd",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        addExec = bind(linker, lib, "slirp_add_exec",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        addGuestfwd = bind(linker, lib, "slirp_add_guestfwd",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        socketCanRecv = bind(linker, lib, "slirp_socket_can_recv",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, IN_ADDR, JAVA_INT));
        socketRecv = bind(linker, lib, "slirp_socket_recv",
                FunctionDescriptor.ofVoid(ADDRESS, IN_ADDR, JAVA_INT, ADDRESS, JAVA_INT));
        connectionInfo = bind(linker, lib, "slirp_connection_info", FunctionDescriptor.of(ADDRESS, ADDRESS));
        versionString = bind(linker, lib, "slirp_version_string", FunctionDescriptor.of(ADDRESS));
        free = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS));
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        return linker.downcallHandle(lib.find(name).orElseThrow(
                () -> new IllegalArgumentException(LIBRARY + " has no " + name)), descriptor);
    }

    /**
     * @return the library, bound
     * @throws NetException one line naming the package to install when the library is missing
     */
    static Libslirp get() throws NetException {
        if (INSTANCE == null) {
            throw NetException.generic("%s", FAILURE);
        }
        return INSTANCE;
    }

    /**
     * Takes a string libslirp allocated: copies it and frees it.
     *
     * @param text a C string from libslirp
     * @return its text
     */
    String take(MemorySegment text) {
        try {
            return text.reinterpret(Integer.MAX_VALUE).getString(0);
        } finally {
            try {
                free.invokeExact(text);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }
}
