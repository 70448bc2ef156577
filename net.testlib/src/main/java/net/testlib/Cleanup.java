package net.testlib;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened as it went (processes, sockets, runtimes), closed after it, last opened first.
 * Held in a field marked with JUnit's {@code @AutoClose}. Every one is closed even when one fails;
 * the first failure is thrown, the others added to it.
 */
public final class Cleanup implements AutoCloseable {

    private final List<AutoCloseable> opened = new ArrayList<>();

    /** @return {@code it}, to be closed after the test */
    public <T extends AutoCloseable> T add(T it) {
        opened.add(it);
        return it;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        opened.clear();
        if (first != null) {
            throw first;
        }
    }
}
