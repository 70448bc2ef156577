package net.driverkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.testlib.RecordingLog;
import org.junit.jupiter.api.Test;

class AcceptBackoffTest {

    /** What was logged, line by line. */
    private final RecordingLog out = new RecordingLog("test");
    private final AcceptBackoff backoff = new AcceptBackoff(out, "QMP endpoint unix:q.sock");
    private final IOException emfile = new IOException("Too many open files");

    @Test
    void thePauseDoublesToOneSecondAndAnEpisodeIsLoggedOnceEachWay() {
        List<Long> pauses = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pauses.add(backoff.failed(emfile));
        }
        assertEquals(List.of(100L, 200L, 400L, 800L, 1000L, 1000L), pauses.subList(0, 6));
        assertEquals(1000L, pauses.get(49));
        backoff.accepted();
        backoff.accepted();
        assertEquals(List.of("WARNING QMP endpoint unix:q.sock: accept failed: Too many open files; accepting paused,"
                + " retried every 1000 ms at most until it succeeds",
                "INFO QMP endpoint unix:q.sock: accepting again after 50 failed attempts"), out.lines());
        assertEquals(50, backoff.failures());
    }

    @Test
    void aNewEpisodeStartsAgainFromTheShortestPause() {
        backoff.failed(emfile);
        backoff.failed(emfile);
        backoff.accepted();
        assertEquals(100L, backoff.failed(emfile));
        assertEquals(3, backoff.failures());
        assertEquals(3, out.lines().size(), "start, end, start: " + out.lines());
    }
}
