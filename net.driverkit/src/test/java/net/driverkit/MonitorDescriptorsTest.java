package net.driverkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.api.NetException;
import net.posix.FdChannel;
import net.posix.Libc;
import net.testlib.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code fd=NAME} resolved in the monitor of the client whose command creates the netdev. */
@Timeout(30)
class MonitorDescriptorsTest {

    @Test
    void aNameIsTakenFromTheMonitorRunningTheNetdevsCommandOnce() throws Exception {
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_STREAM);
        Map<String, Integer> named = new HashMap<>(Map.of("s", pair[0]));
        MonitorDescriptors.Monitor monitor = name -> {
            Integer fd = named.remove(name);
            return fd == null ? -1 : fd;
        };
        try (MonitorDescriptors.Scope scope = MonitorDescriptors.enter("m0", monitor)) {
            assertEquals("Invalid file descriptor number 's'",
                    assertThrows(NetException.class, () -> InheritedDescriptors.take("other", "s")).getMessage(),
                    "another netdev's command runs in no monitor");
            try (FdChannel taken = InheritedDescriptors.take("m0", "s")) {
                assertEquals(pair[0], taken.fd());
            }
            assertEquals("File descriptor named 's' has not been found",
                    assertThrows(NetException.class, () -> InheritedDescriptors.take("m0", "s")).getMessage());
            assertEquals("m0: Can't use file descriptor 99998: Bad file descriptor",
                    assertThrows(NetException.class, () -> InheritedDescriptors.take("m0", "99998")).getMessage(),
                    "digits are an inherited number, even in a monitor");
        } finally {
            Libc.close(pair[1]);
        }
        assertEquals("Invalid file descriptor number 's'",
                assertThrows(NetException.class, () -> InheritedDescriptors.take("m0", "s")).getMessage(),
                "after the command, no monitor: names are not looked up");
    }

    @Test
    void twoClientsCreatingTheSameIdTakeTurns() throws Exception {
        MonitorDescriptors.Scope first = MonitorDescriptors.enter("m1", name -> 1);
        CompletableFuture<MonitorDescriptors.Scope> second = new CompletableFuture<>();
        Thread waiting = Thread.ofPlatform().start(() -> {
            try {
                second.complete(MonitorDescriptors.enter("m1", name -> 2));
            } catch (InterruptedException e) {
                second.completeExceptionally(e);
            }
        });
        Await.until(() -> waiting.getState() == Thread.State.WAITING, "the second client waits for the first command");
        assertEquals(1, MonitorDescriptors.running("m1").take("x"));
        first.close();
        try (MonitorDescriptors.Scope scope = second.get(10, TimeUnit.SECONDS)) {
            assertEquals(2, MonitorDescriptors.running("m1").take("x"));
        }
        assertEquals(null, MonitorDescriptors.running("m1"));
    }
}
