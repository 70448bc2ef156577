package net.backend.vhostuser;

/**
 * Why the device refused what a front end put in a ring; each reason is a drop counter of the
 * netdev. A refused chain goes back to the driver unused (length 0) and the queue goes on; a ring
 * whose indexes make no sense stops until the front end sets it up again.
 */
enum Refusal {
    /** A buffer not wholly inside one memory region of the table. */
    BAD_ADDRESS("bad-address"),
    /** A chain that loops, is longer than the queue, or names a descriptor past the table. */
    BAD_CHAIN("bad-chain"),
    /** An indirect table nested, chained on, empty, or not a whole number of descriptors. */
    BAD_INDIRECT("bad-indirect"),
    /** A frame longer than the runtime carries, or shorter than its virtio-net header. */
    BAD_LENGTH("bad-length"),
    /** An available index more than a ring ahead, or a head past the ring: the queue stops. */
    BAD_RING("bad-ring");

    private final String counter;

    Refusal(String counter) {
        this.counter = counter;
    }

    /** @return the drop counter's name */
    String counter() {
        return counter;
    }
}
