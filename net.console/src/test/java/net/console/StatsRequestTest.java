package net.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StatsRequestTest {

    @Test
    void noWordsIsEveryClientOnce() {
        StatsRequest r = StatsRequest.parse();
        assertNull(r.error());
        assertNull(r.name());
        assertFalse(r.watch());
        assertFalse(r.reset());
    }

    @Test
    void watchEverySecondUnlessANumberFollows() {
        assertEquals(Duration.ofSeconds(1), StatsRequest.parse("--watch").interval().duration());
        assertEquals("1 s", StatsRequest.parse("--watch").interval().toString());
        StatsRequest r = StatsRequest.parse("--watch", "0.5", "s0");
        assertEquals(Duration.ofMillis(500), r.interval().duration());
        assertEquals("0.5 s", r.interval().toString());
        assertEquals("s0", r.name());
        StatsRequest named = StatsRequest.parse("s0", "--watch");
        assertTrue(named.watch());
        assertEquals("s0", named.name());
        assertEquals("h1", StatsRequest.parse("--watch", "h1").name(), "a name after --watch is no interval");
    }

    @Test
    void resetAndHelp() {
        assertTrue(StatsRequest.parse("--reset").reset());
        assertTrue(StatsRequest.parse("--reset", "--watch").watch());
        assertTrue(StatsRequest.parse("--help").help());
    }

    @Test
    void wrongWordsAreHmpLines() {
        assertEquals(NetCommands.extraneous("net:stats"), StatsRequest.parse("h1", "h2").error());
        assertEquals("net:stats: Invalid parameter '--top'\nTry \"help net:stats\" for more information",
                StatsRequest.parse("--top").error());
        assertEquals("net:stats: Parameter 'SECONDS' expects a number from 0.1 to 86400\n"
                + "Try \"help net:stats\" for more information", StatsRequest.parse("--watch", "0").error());
    }
}
