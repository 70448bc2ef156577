package net.backend.tap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.List;
import net.posix.Libc;
import net.posix.PosixException;

/**
 * A script or bridge helper run as QEMU runs it: {@code execv} of a path with the caller's
 * environment, every descriptor above 2 closed except, for the helper, one socket it must inherit;
 * unlike QEMU, stdin is {@code /dev/null} (Patchbay's stdin may be its console).
 * The JDK's {@link ProcessBuilder} closes all of them, so this spawns through {@code posix_spawn}
 * (glibc's vfork-based one: cheap in a large JVM) and reaps with {@code waitpid}.
 */
final class ChildProcess {

    /** The number under which the child finds the descriptor it inherits. */
    static final int INHERITED_FD = 3;
    /**
     * A number dup2 goes through on its way to {@link #INHERITED_FD}: dup2 of a descriptor onto its
     * own number would keep its close-on-exec flag, and the parent's socket may well be number 3.
     */
    private static final int SCRATCH_FD = 1023;

    private static final int WNOHANG = 1;
    private static final int SIGKILL = 9;
    /** {@code sizeof(posix_spawn_file_actions_t)} is 80 on glibc; room to spare. */
    private static final long FILE_ACTIONS_SIZE = 256;

    private static final MethodHandle SPAWN = Libc.function("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle ACTIONS_INIT = Libc.function("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ACTIONS_DESTROY = Libc.function("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ADD_DUP2 = Libc.function("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ADD_OPEN = Libc.function("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ADD_CLOSEFROM = Libc.function("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WAITPID = Libc.function("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle KILL = Libc.function("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** {@code char **environ}: the child gets the process's real environment, as after fork. */
    private static final MemorySegment ENVIRON = Linker.nativeLinker().defaultLookup().find("environ")
            .orElseThrow().reinterpret(ADDRESS.byteSize());

    private final int pid;

    private ChildProcess(int pid) {
        this.pid = pid;
    }

    /**
     * Starts {@code argv[0]} with {@code argv}.
     *
     * @param inherit a descriptor the child gets as {@link #INHERITED_FD}, or -1
     * @throws PosixException when it cannot be started (ENOENT, EACCES, ...)
     */
    static ChildProcess spawn(List<String> argv, int inherit) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(FILE_ACTIONS_SIZE, 16);
            check(invoke(ACTIONS_INIT, actions));
            try {
                // Not the JVM's stdin: that may be the console (or a test runner's command channel).
                check((int) ADD_OPEN.invokeExact(Libc.callState(), actions, 0, arena.allocateFrom("/dev/null"),
                        Libc.O_RDONLY, 0));
                if (inherit >= 0) {
                    check(invoke(ADD_DUP2, actions, inherit, SCRATCH_FD));
                    check(invoke(ADD_DUP2, actions, SCRATCH_FD, INHERITED_FD));
                    check(invoke(ADD_CLOSEFROM, actions, INHERITED_FD + 1));
                } else {
                    check(invoke(ADD_CLOSEFROM, actions, INHERITED_FD));
                }
                MemorySegment args = arena.allocate(ADDRESS, argv.size() + 1);
                for (int i = 0; i < argv.size(); i++) {
                    args.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
                }
                MemorySegment pid = arena.allocate(JAVA_INT);
                MemorySegment path = arena.allocateFrom(argv.get(0));
                check((int) SPAWN.invokeExact(Libc.callState(), pid, path, actions, MemorySegment.NULL, args,
                        ENVIRON.get(ADDRESS, 0)));
                return new ChildProcess(pid.get(JAVA_INT, 0));
            } finally {
                invoke(ACTIONS_DESTROY, actions);
            }
        } catch (PosixException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Waits for the child to end, at most {@code limit}; a child still running then is killed.
     *
     * @return its raw wait status as {@code waitpid} gives it (exit code 1 is 256, SIGKILL is 9)
     */
    int await(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        long pause = 1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            while (true) {
                int result = (int) WAITPID.invokeExact(Libc.callState(), pid, status, WNOHANG);
                if (result == pid) {
                    return status.get(JAVA_INT, 0);
                }
                if (result < 0 && Libc.errno(Libc.callState()) != Libc.EINTR) {
                    return -1; // not our child any more: nothing left to wait for
                }
                if (System.nanoTime() - deadline > 0) {
                    return kill();
                }
                Thread.sleep(pause);
                pause = Math.min(pause * 2, 10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return kill();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Kills the child and reaps it.
     *
     * @return its wait status (9: killed)
     */
    int kill() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            int ignored = (int) KILL.invokeExact(Libc.callState(), pid, SIGKILL);
            int reaped = (int) WAITPID.invokeExact(Libc.callState(), pid, status, 0);
            return reaped == pid ? status.get(JAVA_INT, 0) : -1;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int invoke(MethodHandle handle, MemorySegment actions, int... args) throws Throwable {
        return switch (args.length) {
            case 0 -> (int) handle.invokeExact(Libc.callState(), actions);
            case 1 -> (int) handle.invokeExact(Libc.callState(), actions, args[0]);
            default -> (int) handle.invokeExact(Libc.callState(), actions, args[0], args[1]);
        };
    }

    /** The posix_spawn family returns the error number rather than setting errno. */
    private static void check(int error) throws PosixException {
        if (error != 0) {
            throw Libc.error(error);
        }
    }
}
