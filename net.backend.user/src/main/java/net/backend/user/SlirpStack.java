package net.backend.user;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * One libslirp instance: the {@code SlirpConfig} built from the settings, libslirp's callbacks as
 * upcall stubs bound to this instance, and the calls into it. Everything runs on the netdev's event
 * loop; libslirp calls back only from inside the calls made here.
 */
final class SlirpStack implements AutoCloseable {

    /** What libslirp's callbacks ask of the netdev. */
    interface Host {
        /** A frame for the guest, valid during the call. */
        void packet(ByteBuffer frame);

        /** @param message a guest misbehaved */
        void guestError(String message);

        /** libslirp has new work: run a poll cycle soon. */
        void notifyWork();

        /** @param fd a socket libslirp no longer uses; stop watching it before libslirp closes it */
        void unregister(int fd);

        /** @param fd a new socket of libslirp's */
        void register(int fd);

        /** @return a new timer handle for libslirp's timer {@code id} */
        long timerNew(int id, MemorySegment cbOpaque);

        void timerFree(long timer);

        void timerMod(long timer, long expireMs);
    }

    /** Takes what a guest sends to a guest forward ({@code slirp_add_guestfwd}'s write callback). */
    interface GuestWriter {
        /**
         * @param address the bytes, valid during the call
         * @param length  how many
         * @return how many were taken, or -1 on an error
         */
        long write(long address, long length);
    }

    /** Receives libslirp's poll requests during {@link #fill}. */
    interface PollSink {
        /** @return the index libslirp passes back to {@link #revents} */
        int add(int fd, int events);

        /** @return the events that happened on the descriptor at {@code index} */
        int revents(int index);
    }

    /** Every address, to copy frames from a raw pointer without a segment per frame. */
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ValueLayout.OfInt NET_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int SOCKADDR_IN = 16;
    private static final short AF_INET = 2;

    private final Libslirp lib;
    private final Host host;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment slirp;
    private final MemorySegment inputBuffer;
    private final ByteBuffer inputView;
    private final MemorySegment outputBuffer;
    private final ByteBuffer outputView;
    private final MemorySegment timeout;
    private final MemorySegment addPoll;
    private final MemorySegment getRevents;
    private final MemorySegment hostAddr;
    private final MemorySegment guestAddr;
    private PollSink sink;

    SlirpStack(Libslirp lib, UserSettings s, Host host, int maxFrame) {
        this.lib = lib;
        this.host = host;
        this.inputBuffer = arena.allocate(maxFrame);
        this.inputView = inputBuffer.asByteBuffer();
        this.outputBuffer = arena.allocate(maxFrame);
        this.outputView = outputBuffer.asByteBuffer();
        this.timeout = arena.allocate(JAVA_INT);
        this.hostAddr = arena.allocate(SOCKADDR_IN);
        this.guestAddr = arena.allocate(SOCKADDR_IN);
        Linker linker = Linker.nativeLinker();
        this.addPoll = upcall(linker, "addPoll", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        this.getRevents = upcall(linker, "getRevents", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        MemorySegment callbacks = arena.allocate(Libslirp.Callback.SIZE, 8);
        set(callbacks, Libslirp.Callback.SEND_PACKET,
                upcall(linker, "sendPacket", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS)));
        set(callbacks, Libslirp.Callback.GUEST_ERROR,
                upcall(linker, "guestError", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS)));
        set(callbacks, Libslirp.Callback.CLOCK_GET_NS,
                upcall(linker, "clockGetNs", FunctionDescriptor.of(JAVA_LONG, ADDRESS)));
        set(callbacks, Libslirp.Callback.TIMER_FREE,
                upcall(linker, "timerFree", FunctionDescriptor.ofVoid(JAVA_LONG, ADDRESS)));
        set(callbacks, Libslirp.Callback.TIMER_MOD,
                upcall(linker, "timerMod", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, ADDRESS)));
        set(callbacks, Libslirp.Callback.REGISTER_POLL_FD,
                upcall(linker, "registerPollFd", FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS)));
        set(callbacks, Libslirp.Callback.UNREGISTER_POLL_FD,
                upcall(linker, "unregisterPollFd", FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS)));
        set(callbacks, Libslirp.Callback.NOTIFY, upcall(linker, "notifyWork", FunctionDescriptor.ofVoid(ADDRESS)));
        set(callbacks, Libslirp.Callback.TIMER_NEW_OPAQUE,
                upcall(linker, "timerNewOpaque", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS)));
        MemorySegment config = config(s);
        try {
            this.slirp = (MemorySegment) lib.slirpNew.invokeExact(config, callbacks, MemorySegment.NULL);
        } catch (Throwable t) {
            arena.close();
            throw new IllegalStateException(t);
        }
        if (slirp.equals(MemorySegment.NULL)) {
            arena.close();
            throw new IllegalStateException("slirp_new failed");
        }
    }

    private MemorySegment config(UserSettings s) {
        MemorySegment c = arena.allocate(Libslirp.Config.SIZE, 8);
        c.set(JAVA_INT, Libslirp.Config.VERSION, Libslirp.Config.VERSION_USED);
        c.set(JAVA_INT, Libslirp.Config.RESTRICTED, s.restricted() ? 1 : 0);
        c.set(JAVA_BYTE, Libslirp.Config.IN_ENABLED, (byte) (s.ipv4() ? 1 : 0));
        c.set(NET_INT, Libslirp.Config.VNETWORK, s.network());
        c.set(NET_INT, Libslirp.Config.VNETMASK, s.netmask());
        c.set(NET_INT, Libslirp.Config.VHOST, s.host());
        c.set(JAVA_BYTE, Libslirp.Config.IN6_ENABLED, (byte) (s.ipv6() ? 1 : 0));
        MemorySegment.copy(s.prefix6(), 0, c, JAVA_BYTE, Libslirp.Config.VPREFIX_ADDR6, 16);
        c.set(JAVA_BYTE, Libslirp.Config.VPREFIX_LEN, (byte) s.prefixLength6());
        MemorySegment.copy(s.host6(), 0, c, JAVA_BYTE, Libslirp.Config.VHOST6, 16);
        c.set(ADDRESS, Libslirp.Config.VHOSTNAME, string(s.hostname()));
        c.set(ADDRESS, Libslirp.Config.TFTP_SERVER_NAME, string(s.tftpServerName()));
        c.set(ADDRESS, Libslirp.Config.TFTP_PATH, string(s.tftp()));
        c.set(ADDRESS, Libslirp.Config.BOOTFILE, string(s.bootfile()));
        c.set(NET_INT, Libslirp.Config.VDHCP_START, s.dhcpStart());
        c.set(NET_INT, Libslirp.Config.VNAMESERVER, s.dns());
        MemorySegment.copy(s.dns6(), 0, c, JAVA_BYTE, Libslirp.Config.VNAMESERVER6, 16);
        c.set(ADDRESS, Libslirp.Config.VDNSSEARCH, strings(s.dnssearch()));
        c.set(ADDRESS, Libslirp.Config.VDOMAINNAME, string(s.domainname()));
        return c;
    }

    private MemorySegment string(String text) {
        return text == null ? MemorySegment.NULL : arena.allocateFrom(text);
    }

    private MemorySegment strings(List<String> texts) {
        if (texts.isEmpty()) {
            return MemorySegment.NULL;
        }
        MemorySegment array = arena.allocate(ADDRESS, texts.size() + 1L);
        for (int i = 0; i < texts.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(texts.get(i)));
        }
        return array;
    }

    private MemorySegment upcall(Linker linker, String method, FunctionDescriptor descriptor) {
        try {
            MethodHandle target = MethodHandles.lookup()
                    .findVirtual(SlirpStack.class, method, descriptor.toMethodType()).bindTo(this);
            return linker.upcallStub(target, descriptor, arena);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void set(MemorySegment callbacks, Libslirp.Callback which, MemorySegment stub) {
        callbacks.set(ADDRESS, which.offset(), stub);
    }

    // ---- calls into libslirp (on the loop) ----

    /**
     * Hands a frame from the guest network to libslirp.
     *
     * @param frame the frame between position and limit; copied
     */
    void input(ByteBuffer frame) {
        int length = frame.remaining();
        inputView.clear();
        inputView.put(frame);
        try {
            lib.input.invokeExact(slirp, inputBuffer, length);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * {@code slirp_pollfds_fill}: libslirp names the descriptors it waits for.
     *
     * @param to receives them
     * @return the longest wait before the next cycle, in ms, or -1 for none
     */
    long fill(PollSink to) {
        sink = to;
        timeout.set(JAVA_INT, 0, -1);
        try {
            lib.pollfdsFill.invokeExact(slirp, timeout, addPoll, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        int ms = timeout.get(JAVA_INT, 0);
        return ms == -1 ? -1 : Integer.toUnsignedLong(ms);
    }

    /**
     * {@code slirp_pollfds_poll}: libslirp handles the events and its TCP timers.
     *
     * @param from the events of the descriptors of the last {@link #fill}
     */
    void poll(PollSink from) {
        sink = from;
        try {
            lib.pollfdsPoll.invokeExact(slirp, 0, getRevents, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Runs a timer libslirp asked for. */
    void handleTimer(int id, MemorySegment cbOpaque) {
        try {
            lib.handleTimer.invokeExact(slirp, id, cbOpaque);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * @param rule a host forward
     * @return whether libslirp set it up
     */
    boolean addHostForward(HostForward rule) {
        sockaddr(hostAddr, rule.hostAddr(), rule.hostPort());
        sockaddr(guestAddr, rule.guestAddr(), rule.guestPort());
        try {
            int r = (int) lib.addHostxfwd.invokeExact(slirp, hostAddr, SOCKADDR_IN, guestAddr, SOCKADDR_IN,
                    rule.udp() ? Libslirp.HOSTFWD_UDP : 0);
            return r >= 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * @param rule a host forward's host side
     * @return whether one was found and removed
     */
    boolean removeHostForward(HostForward rule) {
        sockaddr(hostAddr, rule.hostAddr(), rule.hostPort());
        try {
            int r = (int) lib.removeHostxfwd.invokeExact(slirp, hostAddr, SOCKADDR_IN,
                    rule.udp() ? Libslirp.HOSTFWD_UDP : 0);
            return r == 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * {@code slirp_add_exec}: a guest connection to the address runs the command.
     *
     * @return whether libslirp took it
     */
    boolean addExec(String command, int server, int port) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment address = call.allocate(JAVA_INT);
            address.set(NET_INT, 0, server);
            int r = (int) lib.addExec.invokeExact(slirp, call.allocateFrom(command), address, port);
            return r >= 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * {@code slirp_add_guestfwd}: a guest connection to the address goes to the writer.
     *
     * @param server the guest-visible address (host order), 0 for libslirp's choice
     * @return the address libslirp uses (host order), or null when it refused the rule
     */
    Integer addGuestForward(int server, int port, GuestWriter writer) {
        try {
            MethodHandle target = MethodHandles.lookup().findVirtual(GuestWriter.class, "write",
                    java.lang.invoke.MethodType.methodType(long.class, long.class, long.class)).bindTo(writer);
            target = MethodHandles.dropArguments(target, 2, MemorySegment.class);
            MemorySegment stub = Linker.nativeLinker().upcallStub(target,
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), arena);
            MemorySegment address = arena.allocate(JAVA_INT);
            address.set(NET_INT, 0, server);
            int r = (int) lib.addGuestfwd.invokeExact(slirp, stub, MemorySegment.NULL, address, port);
            return r < 0 ? null : address.get(NET_INT, 0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** @return how many bytes the guest connection of a guest forward can take now (0: none, or no connection) */
    long guestCanReceive(MemorySegment server, int port) {
        try {
            return (long) lib.socketCanRecv.invokeExact(slirp, server, port);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Hands bytes to a guest forward's guest connection. */
    void guestReceive(MemorySegment server, int port, MemorySegment data, int length) {
        try {
            lib.socketRecv.invokeExact(slirp, server, port, data, length);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** @return a 4-byte {@code struct in_addr} holding the address (host order), for the calls above */
    MemorySegment inAddr(int address) {
        MemorySegment a = arena.allocate(JAVA_INT);
        a.set(NET_INT, 0, address);
        return a;
    }

    /** @return native memory that lives as long as this stack */
    MemorySegment allocate(long size) {
        return arena.allocate(size);
    }

    /** @return {@code slirp_connection_info}: the table {@code info usernet} prints */
    String connectionInfo() {
        try {
            return lib.take((MemorySegment) lib.connectionInfo.invokeExact(slirp));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void sockaddr(MemorySegment to, int address, int port) {
        to.fill((byte) 0);
        to.set(JAVA_SHORT, 0, AF_INET);
        to.set(JAVA_BYTE, 2, (byte) (port >>> 8));
        to.set(JAVA_BYTE, 3, (byte) port);
        to.set(NET_INT, 4, address);
    }

    /** Frees libslirp's state: its sockets close. Callbacks may run during this call. */
    @Override
    public void close() {
        try {
            lib.cleanup.invokeExact(slirp);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            arena.close();
        }
    }

    // ---- upcalls: never throw into C ----

    private long sendPacket(long buffer, long length, MemorySegment opaque) {
        try {
            int n = (int) Math.min(length, outputBuffer.byteSize());
            MemorySegment.copy(EVERYTHING, buffer, outputBuffer, 0, n);
            outputView.clear().limit(n);
            host.packet(outputView);
            return length;
        } catch (Throwable t) {
            return -1;
        }
    }

    private void guestError(MemorySegment message, MemorySegment opaque) {
        try {
            host.guestError(message.reinterpret(4096).getString(0));
        } catch (Throwable t) {
            // nothing to do for a message that cannot be read
        }
    }

    private long clockGetNs(MemorySegment opaque) {
        return System.nanoTime();
    }

    private long timerNewOpaque(int id, MemorySegment cbOpaque, MemorySegment opaque) {
        try {
            return host.timerNew(id, cbOpaque);
        } catch (Throwable t) {
            return 0;
        }
    }

    private void timerFree(long timer, MemorySegment opaque) {
        try {
            host.timerFree(timer);
        } catch (Throwable t) {
            // the timer is gone either way
        }
    }

    private void timerMod(long timer, long expireMs, MemorySegment opaque) {
        try {
            host.timerMod(timer, expireMs);
        } catch (Throwable t) {
            // a lost router advertisement; the next one comes
        }
    }

    private void registerPollFd(int fd, MemorySegment opaque) {
        try {
            host.register(fd);
        } catch (Throwable t) {
            // only counted
        }
    }

    private void unregisterPollFd(int fd, MemorySegment opaque) {
        try {
            host.unregister(fd);
        } catch (Throwable t) {
            // the loop drops a closed descriptor's watch itself
        }
    }

    private void notifyWork(MemorySegment opaque) {
        try {
            host.notifyWork();
        } catch (Throwable t) {
            // the next cycle picks the work up
        }
    }

    private int addPoll(int fd, int events, MemorySegment opaque) {
        try {
            return sink.add(fd, events);
        } catch (Throwable t) {
            return -1;
        }
    }

    private int getRevents(int index, MemorySegment opaque) {
        try {
            return sink.revents(index);
        } catch (Throwable t) {
            return 0;
        }
    }

    /** @return the library's version, e.g. {@code 4.7.0} */
    String version() {
        try {
            return ((MemorySegment) lib.versionString.invokeExact()).reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
