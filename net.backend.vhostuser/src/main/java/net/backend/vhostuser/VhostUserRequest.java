package net.backend.vhostuser;

/**
 * The front end's requests of the vhost-user protocol (QEMU's {@code docs/interop/vhost-user.rst}),
 * by their numbers on the wire. Both roles use them: the front end sends them, the back end answers.
 */
enum VhostUserRequest {
    NONE, GET_FEATURES, SET_FEATURES, SET_OWNER, RESET_OWNER, SET_MEM_TABLE, SET_LOG_BASE, SET_LOG_FD,
    SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE, SET_VRING_KICK, SET_VRING_CALL,
    SET_VRING_ERR, GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, GET_QUEUE_NUM, SET_VRING_ENABLE,
    SEND_RARP, NET_SET_MTU, SET_BACKEND_REQ_FD, IOTLB_MSG, SET_VRING_ENDIAN, GET_CONFIG, SET_CONFIG,
    CREATE_CRYPTO_SESSION, CLOSE_CRYPTO_SESSION, POSTCOPY_ADVISE, POSTCOPY_LISTEN, POSTCOPY_END,
    GET_INFLIGHT_FD, SET_INFLIGHT_FD, GPU_SET_SOCKET, RESET_DEVICE, VRING_KICK, GET_MAX_MEM_SLOTS,
    ADD_MEM_REG, REM_MEM_REG, SET_STATUS, GET_STATUS;

    private static final VhostUserRequest[] BY_CODE = values();

    /** @return the request's number on the wire */
    int code() {
        return ordinal();
    }

    /**
     * @param code a number read from the wire
     * @return its request, or {@code null} for a number this protocol version does not define
     */
    static VhostUserRequest of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
