package net.testlib;

/** A blocking call a test starts on a thread of its own, to watch what goes on meanwhile. */
public final class Background {

    /** A call that may throw anything. */
    @FunctionalInterface
    public interface Call {
        void run() throws Exception;
    }

    private Background() {
    }

    /**
     * @param call the call, e.g. a netdev_del whose release blocks
     * @return its thread, started; join it (bounded) before the test ends
     */
    public static Thread start(Call call) {
        return Thread.ofPlatform().start(() -> {
            try {
                call.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
