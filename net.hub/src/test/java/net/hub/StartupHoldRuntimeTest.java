package net.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.control.Section;
import net.testlib.IdleClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A runtime held by start-up runs no timer (nor reads) of the netdevs it opens until a front end
 * ends start-up, or until the hold's deadline when none does.
 */
class StartupHoldRuntimeTest {

    /** A netdev whose open() arms a timer due at once. */
    private static final class TimerDriver implements NetClientDriver<TimerDriver.Options> {
        record Options() {
        }

        final CountDownLatch fired = new CountDownLatch(1);

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public NetClient open(Options options, NetClientContext context) {
            context.loop().schedule(fired::countDown, 0, TimeUnit.MILLISECONDS);
            return new IdleClient("");
        }
    }

    private NetRuntime runtime;

    @AfterEach
    void stop() {
        runtime.close();
    }

    private TimerDriver heldRuntimeWithATimer(Duration hold) throws Exception {
        runtime = new NetRuntime(2, name -> System.getLogger("test." + name), Duration.ofSeconds(10), hold);
        TimerDriver driver = new TimerDriver();
        runtime.bindNetClientDriver(driver, Map.of(NetClientDriver.TYPE, "timer"));
        runtime.add(Section.NETDEV, Map.of("type", "timer", "id", "t0"));
        // Control operations go on while held: each is a turn of the netdev's loop.
        for (int i = 0; i < 10; i++) {
            runtime.setLink("t0", true);
        }
        assertEquals(1, driver.fired.getCount(), "the timer ran while start-up held the loop");
        return driver;
    }

    @Test
    void timersRunOnceAFrontEndEndsStartUp() throws Exception {
        TimerDriver driver = heldRuntimeWithATimer(Duration.ofSeconds(60));
        runtime.startupComplete();
        assertTrue(driver.fired.await(5, TimeUnit.SECONDS), "the timer after start-up");
        runtime.startupComplete(); // a second end does nothing
    }

    @Test
    void withoutAFrontEndTheHoldEndsAtItsDeadline() throws Exception {
        TimerDriver driver = heldRuntimeWithATimer(Duration.ofSeconds(2));
        assertTrue(driver.fired.await(10, TimeUnit.SECONDS), "the hold ended by itself");
    }
}
