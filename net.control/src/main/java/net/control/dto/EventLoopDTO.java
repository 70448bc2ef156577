package net.control.dto;

/**
 * One event loop: the thread that reads, forwards and writes the frames of the clients it owns.
 * Counters run from the runtime's start and only grow. The busy share of a loop over a time is the
 * growth of {@code busyNanos} over that time.
 *
 * @param name       the loop's thread name
 * @param clients    the clients (netdevs, hubports, NICs) it owns now
 * @param iterations the times it woke up (I/O, a timer, a control operation or frames from another
 *                   loop) and did its work; a spin that found nothing to do is waiting, not counted
 * @param busyNanos  the time those iterations took, outside its wait for the kernel, in nanoseconds
 * @param frames     the frames its clients handed on, each counted once where its sender's
 *                   {@code tx-frames} goes up: a frame through a hub counts for the netdev that sent
 *                   it and for every port it leaves by
 * @since 2.1
 */
public record EventLoopDTO(String name, int clients, long iterations, long busyNanos, long frames) {
}
