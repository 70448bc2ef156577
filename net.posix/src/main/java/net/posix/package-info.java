/**
 * Linux system calls for drivers, through the JDK's {@code java.lang.foreign} API: what the NIO
 * channels cannot do (adopting an inherited descriptor, AF_UNIX datagrams, raw IP sockets,
 * character devices such as {@code /dev/net/tun}, ioctls).
 *
 * <p>{@link net.posix.FdChannel} is a non-blocking descriptor that an event loop watches
 * (hand its {@link net.posix.FdChannel#fd() number} to an event loop).
 * {@link net.posix.UnixStream} is a blocking unix stream socket that passes descriptors
 * (SCM_RIGHTS) with its bytes, for management sockets. A {@link net.posix.Poller} lets virtual
 * threads use many of them: one platform thread waits for all in {@code epoll_wait}. A
 * {@link net.posix.SelectableEpoll} is an epoll instance a JDK selector watches as a channel, so an
 * event loop waits for its channels and its descriptors in one select. {@link net.posix.Libc}
 * binds further C functions with errno capture for a driver that needs one this package lacks.
 * Shared memory, as vhost-user passes it between processes: {@link net.posix.Memfd} makes a memory
 * file, {@link net.posix.MappedRegion} maps one (a segment that throws once unmapped), and
 * {@link net.posix.EventFd} signals and drains the eventfds that kick and call.
 * {@link net.posix.SendBatch} sends gathered datagrams with one {@code sendmmsg(2)}, runs of equal
 * size as UDP GSO messages; {@link net.posix.ReceiveBatch} receives up to a batch of them with one
 * {@code recvmmsg(2)}.
 * Failures are {@link net.posix.PosixException}s whose message is the C library's
 * {@code strerror} text, so a driver can word its error as QEMU does
 * ({@code "could not open /dev/net/tun: No such file or directory"}).
 *
 * <p>The JVM must run with {@code --enable-native-access=ALL-UNNAMED} (the launcher does).
 */
@Export
@Version("2.2.0")
package net.posix;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
