package net.nic;

import java.nio.ByteBuffer;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NicModel;
import net.api.NetCounter;
import net.api.NicType;
import net.api.SendResult;
import net.api.SentCallback;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code -device echo,netdev=ID[,mac=MAC]}: sends every frame its filter passes back with the
 * frame's destination and source addresses swapped (as DPDK's {@code macswap} forwarding does), a
 * reflector for ping-pong benchmarks. It takes broadcast and its own address only, so a load
 * generator sends to its MAC (or to broadcast).
 */
@Component(service = NicModel.class)
@NicType(EchoModel.MODEL)
public final class EchoModel extends AddressOnlyModel {

    static final String MODEL = "echo";

    @Activate
    public EchoModel(@Reference MacTable macs) {
        super(MODEL, macs);
    }

    @Override
    NetClient open(MacAddress mac, MacTable macs, NetClientContext context) {
        return new Echo(mac, macs, context);
    }

    /**
     * One echo NIC. Frames arrive read-only, so each is copied into one buffer of the NIC's, swapped
     * there and sent: nothing is allocated per frame. Every frame is sent with a sent callback, so
     * none is lost for a full queue at the peer: while one is queued there, the NIC takes no more
     * (the runtime holds them at its side) until the callback runs.
     */
    static final class Echo extends NicClient {

        private final ByteBuffer buffer = ByteBuffer.allocate(NetClient.MAX_FRAME);
        private final SentCallback resume = this::resume;
        private final NetCounter paused;
        private boolean waiting;

        Echo(MacAddress mac, MacTable macs, NetClientContext context) {
            super(MODEL, mac, macs, context);
            this.paused = context.counter("paused");
        }

        @Override
        protected Delivery deliver(ByteBuffer frame) {
            if (waiting) {
                return Delivery.RETRY_LATER;
            }
            buffer.clear();
            buffer.put(frame).flip();
            long destination = MacAddress.read(buffer, 0);
            long source = MacAddress.read(buffer, 6);
            MacAddress.write(buffer, 0, source);
            MacAddress.write(buffer, 6, destination);
            if (context.send(buffer, resume) == SendResult.QUEUED) {
                // The peer holds our frame: wait for it to leave before echoing more.
                waiting = true;
                paused.increment();
            }
            return Delivery.DELIVERED;
        }

        @Override
        public boolean canReceive() {
            return !waiting;
        }

        private void resume(int length) {
            waiting = false;
            context.receiveReady();
        }
    }
}
