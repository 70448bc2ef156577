package net.bench;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.api.NetClientContext;
import net.api.NetException;
import net.control.Section;
import net.control.QemuOptions;
import net.hub.NetRuntime;

/**
 * The real runtime outside OSGi, one event loop, with {@code mem} netdevs: the source sends
 * batches of one frame on its loop and the benchmark thread waits for each batch.
 */
public final class Rig implements AutoCloseable {

    private final NetRuntime runtime = new NetRuntime(1, name -> System.getLogger("bench." + name));
    private final MemNetdev mem = new MemNetdev();

    /** Binds the {@code mem} type. */
    public Rig() {
        runtime.bindNetClientDriver(mem, Map.of("net.type", "mem"));
    }

    /** @return the runtime, to bind further drivers */
    public NetRuntime runtime() {
        return runtime;
    }

    /**
     * @param section where the option belongs
     * @param options QEMU syntax, e.g. {@code mem,id=a}
     */
    public void add(Section section, String options) throws NetException {
        runtime.add(section, QemuOptions.parse(options, section.typeKey()));
    }

    /** @return the open {@code mem} netdev {@code id} */
    public MemNetdev.Client mem(String id) {
        return mem.get(id);
    }

    /**
     * Sends {@code frame} {@code count} times from {@code source} on its loop and waits.
     *
     * @return how many sends the runtime did not refuse (a blackhole for the JIT)
     */
    public static long send(MemNetdev.Client source, ByteBuffer frame, int count) throws Exception {
        NetClientContext context = source.context();
        CompletableFuture<Long> done = new CompletableFuture<>();
        context.loop().execute(() -> {
            long ok = 0;
            for (int i = 0; i < count; i++) {
                if (context.send(frame, null) != net.api.SendResult.DROPPED) {
                    ok++;
                }
            }
            done.complete(ok);
        });
        return done.get(10, TimeUnit.SECONDS);
    }

    /** @return a broadcast Ethernet frame of {@code size} bytes in a direct buffer */
    public static ByteBuffer frame(int size) {
        ByteBuffer frame = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            frame.put(i, (byte) (i < 6 ? 0xff : i));
        }
        return frame;
    }

    @Override
    public void close() {
        runtime.close();
    }
}
