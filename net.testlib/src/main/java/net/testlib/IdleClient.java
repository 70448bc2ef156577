package net.testlib;

import java.nio.ByteBuffer;
import net.api.Delivery;
import net.api.NetClient;

/**
 * A netdev for a test driver whose point lies elsewhere (its options, what its open does): it takes
 * every frame and keeps none, and its {@code info} is the text it was made with. A driver that holds
 * something extends it to close that.
 */
public class IdleClient implements NetClient {

    private final String info;

    /** @param info what {@code info network} shows for it */
    public IdleClient(String info) {
        this.info = info;
    }

    @Override
    public Delivery receive(ByteBuffer frame) {
        return Delivery.DELIVERED;
    }

    @Override
    public String info() {
        return info;
    }

    @Override
    public void close() {
    }
}
