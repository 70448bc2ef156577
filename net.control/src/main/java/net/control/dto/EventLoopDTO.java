package net.control.dto;

/**
 * One event loop: the thread that reads, forwards and writes the frames of the clients it owns.
 * Counters run from the runtime's start and only grow.
 *
 * @param name       the loop's thread name
 * @param clients    the clients (netdevs, hubports, NICs) it owns now
 * @param iterations the times it woke up (I/O, a timer or a control operation) and did its work
 * @param busyNanos  the time it spent working, outside its wait for the kernel, in nanoseconds
 * @param frames     the frames its clients handed on (each frame once, when its sender sends it)
 * @since 2.1
 */
public record EventLoopDTO(String name, int clients, long iterations, long busyNanos, long frames) {
}
