package net.hub.data;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import net.api.RxFilterReporter;
import net.hub.loop.ClientLoop;

/**
 * One {@code announce-self}: QEMU's self-announcement, a RARP request from the NIC's MAC, sent
 * {@code rounds} times by each NIC it starts on: at once, then {@code initial} ms later, each next
 * pause {@code step} ms longer, no pause longer than {@code max} (a negative one is {@code max}).
 * Each NIC's rounds are a chain of timers on its own loop, so nothing waits and a NIC that closes
 * takes its rounds with it. A NIC that cannot report its receive filter has no known MAC and
 * sends nothing.
 */
public final class Announcement {

    /** QEMU's frame: broadcast, ethertype RARP, padded to the Ethernet minimum. */
    static final int FRAME_LENGTH = 60;
    private static final short ETHERTYPE_RARP = (short) 0x8035;
    private static final short REVERSE_REQUEST = 3;
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private final long initial;
    private final long max;
    private final long rounds;
    private final long step;
    private final Consumer<Announcement> onDone;
    /** NICs whose rounds are not over yet. */
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean cancelled;

    /**
     * @param initial the first pause, ms
     * @param max     the longest pause, ms
     * @param rounds  how often each NIC sends (QEMU counts in an {@code int}: a negative count
     *                runs until it wraps round to 0, in effect until cancelled)
     * @param step    how much longer each pause is than the one before, ms
     * @param onDone  given this announcement once every NIC it started on is done (on that NIC's loop)
     */
    public Announcement(long initial, long max, long rounds, long step, Consumer<Announcement> onDone) {
        this.initial = initial;
        this.max = max;
        this.rounds = rounds;
        this.step = step;
        this.onDone = onDone;
    }

    /** Stops every round not sent yet: a new {@code announce-self} with the same id replaces this one. */
    public void cancel() {
        cancelled = true;
    }

    /**
     * Sends the NIC's first round now and schedules the others. Call on the NIC's loop.
     *
     * @param nic an open NIC
     */
    public void start(NetClientState nic) {
        ClientLoop loop = nic.clientLoop();
        int round = (int) rounds;
        if (round == 0 || loop == null || !(nic.client() instanceof RxFilterReporter)) {
            return;
        }
        running.incrementAndGet();
        new Rounds(nic, loop, round).run();
    }

    /** Called once all NICs were started, so that an announcement with none is done at once. */
    public void started() {
        if (running.get() == 0) {
            onDone.accept(this);
        }
    }

    /** QEMU's pause before the next round, when {@code left} rounds are still to be sent. */
    private long pause(int left) {
        long pause = initial + (rounds - left - 1) * step;
        return pause < 0 || pause > max ? Math.max(0, max) : pause;
    }

    /** The rounds of one NIC. */
    private final class Rounds implements Runnable {
        private final NetClientState nic;
        private final ClientLoop loop;
        private final ByteBuffer frame = ByteBuffer.allocate(FRAME_LENGTH);
        private int left;

        Rounds(NetClientState nic, ClientLoop loop, int left) {
            this.nic = nic;
            this.loop = loop;
            this.left = left;
        }

        @Override
        public void run() {
            if (cancelled || nic.clientLoop() != loop || !(nic.client() instanceof RxFilterReporter reporter)) {
                finish();
                return;
            }
            byte[] mac = mac(reporter);
            if (mac != null) {
                nic.sendToPeer(fill(mac), null);
            }
            if (--left != 0) {
                loop.schedule(this, pause(left), TimeUnit.MILLISECONDS);
            } else {
                finish();
            }
        }

        private void finish() {
            if (running.decrementAndGet() == 0) {
                onDone.accept(Announcement.this);
            }
        }

        /** QEMU's RARP request: sender and target hardware address the NIC's, protocol addresses 0. */
        private ByteBuffer fill(byte[] mac) {
            frame.clear();
            frame.put(BROADCAST).put(mac).putShort(ETHERTYPE_RARP);
            frame.putShort((short) 1).putShort((short) 0x0800).put((byte) MacAddress.LENGTH).put((byte) 4);
            frame.putShort(REVERSE_REQUEST).put(mac).putInt(0).put(mac).putInt(0);
            while (frame.hasRemaining()) {
                frame.put((byte) 0);
            }
            return frame.flip();
        }
    }

    /** @return the NIC's MAC now, or null when it reports none that reads as one */
    private static byte[] mac(RxFilterReporter reporter) {
        try {
            String mac = reporter.rxFilter().mainMac();
            return mac == null || mac.length() != 17 ? null : MacAddress.parse(mac);
        } catch (RuntimeException e) {
            return null; // a NIC that fails to report has no known MAC this round
        }
    }
}
