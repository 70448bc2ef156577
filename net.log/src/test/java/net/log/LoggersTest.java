package net.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.testlib.Warnings;
import org.junit.jupiter.api.Test;

class LoggersTest {

    @Test
    void withoutALogServiceTheLinesGoToThePlatformLoggerWithTheirPrefix() {
        Loggers loggers = new Loggers();
        System.Logger log = loggers.logger("net.log.test", "netdev s0: ");
        try (Warnings warnings = new Warnings("net.log.test")) {
            log.log(System.Logger.Level.WARNING, "bad frame {0} from ''{1}''", 3, "peer");
            log.log(System.Logger.Level.ERROR, "read failed: {}");
            assertEquals(List.of("netdev s0: bad frame 3 from 'peer'", "netdev s0: read failed: {}"), warnings.messages());
        }
        assertEquals("net.log.test", log.getName());
    }
}
