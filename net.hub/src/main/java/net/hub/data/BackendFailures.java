package net.hub.data;

/**
 * Told when an open backend breaks its contract on the data path (it threw from {@code receive}),
 * so the runtime can fail that netdev alone. Called on the client's loop, once per open backend;
 * an implementation must not block it.
 */
@FunctionalInterface
public interface BackendFailures {

    /**
     * @param client the client whose backend failed
     * @param broken the backend that failed (the client may have reopened since)
     * @param reason what failed, in words for {@code net:netdevs} and the event
     */
    void failed(NetClientState client, net.api.NetClient broken, String reason);
}
