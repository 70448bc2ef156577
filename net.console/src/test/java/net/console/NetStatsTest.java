package net.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.Cleanup;
import net.testlib.Frames;
import net.testlib.InjectDriver.Inject;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.jline.utils.InfoCmp.Capability;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code net:stats} run by Gogo's runtime on the real network runtime, two {@code inject}
 * netdevs on hub 1 sending frames to each other.
 */
class NetStatsTest {

    private static final Pattern WATCH_TITLE = Pattern.compile("net:stats every 0\\.1 s, \\d\\d:\\d\\d:\\d\\d");
    private static final Duration RETURN = Duration.ofSeconds(5);

    @AutoClose
    private final Cleanup cleanup = new Cleanup();
    private TestRuntime rt;
    private CommandProcessorImpl gogo;

    @BeforeEach
    void network() throws Exception {
        rt = cleanup.add(new TestRuntime(2));
        rt.netdev("inject,id=a");
        rt.netdev("inject,id=b");
        rt.hub("a", "b");
        gogo = new CommandProcessorImpl();
        gogo.addCommand("net", new NetCommands(rt.runtime), "stats");
        gogo.addCommand("patchbay", new WatchCommand(gogo), "watch");
        cleanup.add(gogo::stop);
    }

    /** Sends frames from {@code a} and waits until {@code b} has them all. */
    private void send(int count) throws Exception {
        Inject b = rt.inject.get("b");
        int before = b.count();
        rt.inject.get("a").send(Frames.testFrames(0, count, 60));
        Await.until(() -> b.count() == before + count, "b gets " + count + " frames");
    }

    @Test
    void afterAResetTheSessionCountsOnlyTheFramesSentSince() throws Exception {
        send(5);
        Session one = new Session();
        Session other = new Session();
        String reset = one.run("net:stats --reset");
        assertTrue(reset.matches("counters reset for this console session at \\d\\d:\\d\\d:\\d\\d \\(QMP, /metrics and "
                + "other sessions still count since each netdev was created\\)\n"), reset);

        String zero = one.run("net:stats");
        assertTrue(zero.matches("(?s)since reset at \\d\\d:\\d\\d:\\d\\d\nNAME .*"), zero);
        assertEquals(List.of("0", "0", "0", "0"), frames(zero, "a", "b"), zero);

        send(3);
        String three = one.run("net:stats");
        // a sent 3 (tx), b took 3 (rx), as 60-byte frames
        assertEquals(List.of("0", "3", "3", "0"), frames(three, "a", "b"), three);
        assertEquals(List.of("180", "180"), List.of(cells(three, "a").get(8), cells(three, "b").get(6)), three);
        assertEquals(List.of("0", "3"), List.of(cells(three, "h-a").get(7), cells(three, "h-a").get(5)),
                "the hubport took 3 from a: " + three);

        String all = other.run("net:stats");
        assertFalse(all.startsWith("since"), all);
        assertEquals(List.of("0", "8", "8", "0"), frames(all, "a", "b"), "another session counts since creation: " + all);
        assertEquals(8, rt.client("a").counters().txFrames(), "the runtime's counters (QMP's, /metrics') never go back");
        assertEquals(List.of("3", "0"), frames(one.run("net:stats b"), "b"), "one client, since the reset");
    }

    /**
     * Without a terminal (a pipe, a file): a table per interval, no control characters; it ends
     * when the thread running it is interrupted, as Gogo's job control does on Ctrl-C, and Gogo
     * gets no exception from it.
     */
    @Test
    void watchWithoutATerminalPrintsTablesUntilItsThreadIsInterrupted() throws Exception {
        send(2);
        Session session = new Session();
        CompletableFuture<Object> result = session.start("net:stats --watch 0.1");
        Await.until(() -> count(WATCH_TITLE, session.output()) >= 2, Await.DEFAULT, "two screens", session::output);
        send(500);
        // The runtime's next sample (once a second) has the burst: a rate of a few hundred frames/s.
        Pattern busy = Pattern.compile("(?m)^a +up +0 +0 +[1-9][0-9.]*k? +[1-9][0-9.]*[kM] ");
        Pattern hub = Pattern.compile("(?m)^ +1 +2 +[1-9][0-9.]*k? +[1-9][0-9.]*[kM] +[1-9][0-9.]*k? +[1-9][0-9.]*[kM] ");
        Await.until(() -> busy.matcher(session.output()).find() && hub.matcher(session.output()).find(), Await.DEFAULT,
                "a's tx rate and hub 1's rates", session::output);
        session.commandThread().interrupt();

        assertNull(result.get(RETURN.toSeconds(), TimeUnit.SECONDS), "the watch returns nothing, throws nothing");
        String out = session.output();
        assertFalse(out.contains("\u001b"), "no escape sequences: " + out);
        assertFalse(out.contains("Exception"), out);
        String[] screens = out.split("\n\n(?=net:stats every)");
        assertTrue(screens.length >= 2, out);
        String first = screens[0];
        assertTrue(first.lines().anyMatch(l -> l.matches("NAME +LINK +RX-FRAMES/S +RX-BITS/S +TX-FRAMES/S +TX-BITS/S "
                + "+DROPS/S +QUEUED +RX-FRAMES +TX-FRAMES +DROPS")), first);
        assertEquals(List.of("a", "up"), cells(first, "a").subList(0, 2), first);
        assertEquals("2", cells(first, "a").get(9), "a's tx frames: " + first);
        assertEquals(List.of("1", "2"), cells(first, "1").subList(0, 2), "hub 1 has 2 ports: " + first);
        assertTrue(screens[1].lines().anyMatch(l -> l.matches("event loops \\(busy, frames per iteration\\): "
                + "patchbay-loop-0 \\d+\\.\\d% (-|\\d+\\.\\d), patchbay-loop-1 .*")), "measured from the second: " + screens[1]);
    }

    /** Closing the console session ends a watch running in it. */
    @Test
    void watchEndsWhenTheSessionCloses() throws Exception {
        Session session = new Session();
        session.start("net:stats --watch 0.1");
        Await.until(() -> count(WATCH_TITLE, session.output()) >= 1, Await.DEFAULT, "a screen", session::output);
        Thread command = session.commandThread();
        session.session.close();
        command.join(RETURN.toMillis());
        assertFalse(command.isAlive(), "the watch ended");
    }

    /**
     * On a terminal: drawn in place through its capabilities, and Ctrl-C (JLine's INT signal, as
     * the terminal raises it) ends it with no exception and the terminal as it was.
     */
    @Test
    void watchOnATerminalRedrawsInPlaceUntilCtrlC() throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PipedOutputStream keys = cleanup.add(new PipedOutputStream());
        Terminal terminal = cleanup.add(new ExternalTerminal("test", "xterm-256color",
                new PipedInputStream(keys), screen, StandardCharsets.UTF_8));
        terminal.setSize(new org.jline.terminal.Size(120, 40));
        Attributes before = new Attributes(terminal.getAttributes());
        Session session = new Session(screen);
        session.session.put(".terminal", terminal);
        CompletableFuture<Object> result = session.start("net:stats --watch 0.1");
        String home = capability(terminal, Capability.cursor_home);
        Await.until(() -> count(Pattern.compile(Pattern.quote(home) + "net:stats every 0\\.1 s"), session.output()) >= 2,
                Await.DEFAULT, "two screens drawn from the top", session::output);
        assertFalse(terminal.getAttributes().getLocalFlag(Attributes.LocalFlag.ECHO), "keys are not echoed over the screen");

        terminal.raise(Terminal.Signal.INT);

        assertNull(result.get(RETURN.toSeconds(), TimeUnit.SECONDS));
        String out = session.output();
        assertTrue(out.startsWith(capability(terminal, Capability.cursor_invisible)
                + capability(terminal, Capability.clear_screen)), "cleared once, first: " + out);
        assertTrue(out.contains("q or Ctrl-C stops"), out);
        assertTrue(out.endsWith(capability(terminal, Capability.cursor_normal)), "cursor shown again: " + out);
        assertEquals(before.getLocalFlags(), terminal.getAttributes().getLocalFlags(), "the terminal's modes are back");
        assertFalse(out.contains("Exception"), out);
    }

    /** On a small terminal lines are cut and the screen ends a row short, so that nothing scrolls. */
    @Test
    void aScreenFitsTheTerminal() throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PipedOutputStream keys = cleanup.add(new PipedOutputStream());
        Terminal terminal = cleanup.add(new ExternalTerminal("test", "xterm-256color",
                new PipedInputStream(keys), screen, StandardCharsets.UTF_8));
        terminal.setSize(new org.jline.terminal.Size(40, 6));
        Session session = new Session(screen);
        session.session.put(".terminal", terminal);
        CompletableFuture<Object> result = session.start("net:stats --watch 0.1");
        String home = capability(terminal, Capability.cursor_home);
        String eos = capability(terminal, Capability.clr_eos);
        String eol = capability(terminal, Capability.clr_eol);
        Await.until(() -> session.output().split(Pattern.quote(home)).length > 3, Await.DEFAULT, "two screens", session::output);
        terminal.raise(Terminal.Signal.INT);
        assertNull(result.get(RETURN.toSeconds(), TimeUnit.SECONDS));

        String drawn = session.output().split(Pattern.quote(home))[2];
        List<String> rows = Arrays.asList(drawn.substring(0, drawn.indexOf(eos)).replace(eol, "").split("\r?\n"));
        assertEquals(5, rows.size(), drawn);
        assertTrue(rows.stream().allMatch(r -> r.length() <= 39), drawn);
        assertEquals("NAME  LINK  RX-FRAMES/S  RX-BITS/S  TX-", rows.get(1), "cut at 39 columns: " + drawn);
    }

    /** {@code q} ends a watch on a terminal too. */
    @Test
    void qEndsAWatchOnATerminal() throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PipedOutputStream keys = cleanup.add(new PipedOutputStream());
        Terminal terminal = cleanup.add(new ExternalTerminal("test", "xterm-256color",
                new PipedInputStream(keys), screen, StandardCharsets.UTF_8));
        Session session = new Session(screen);
        session.session.put(".terminal", terminal);
        CompletableFuture<Object> result = session.start("net:stats --watch 0.1");
        Await.until(() -> session.output().contains("net:stats every"), Await.DEFAULT, "a screen", session::output);
        keys.write('q');
        keys.flush();
        assertNull(result.get(RETURN.toSeconds(), TimeUnit.SECONDS));
    }

    /**
     * The console's {@code watch} shows what {@code net:stats} returns (Gogo's shows a blank
     * screen), with this session's reset, and ends when its thread is interrupted.
     */
    @Test
    void watchShowsTheResultOfTheCommandItRuns() throws Exception {
        Session session = new Session();
        session.run("net:stats --reset");
        send(4);
        CompletableFuture<Object> result = session.start("watch -n 0.1 net:stats");
        Pattern title = Pattern.compile("every 0\\.1 s: net:stats, \\d\\d:\\d\\d:\\d\\d\nsince reset at ");
        Await.until(() -> count(title, session.output()) >= 2, Await.DEFAULT, "two screens", session::output);
        session.commandThread().interrupt();

        assertNull(result.get(RETURN.toSeconds(), TimeUnit.SECONDS));
        String out = session.output();
        String second = out.split("\n\n(?=every)")[1];
        assertEquals(List.of("0", "4", "4", "0"), frames(second, "a", "b"), second);
        assertFalse(out.contains("Exception") || out.contains("\u001b"), out);
    }

    @Test
    void wrongWordsForWatchAreHmpLines() throws Exception {
        Session session = new Session();
        assertEquals("watch: command expected\nTry \"help watch\" for more information\n", session.run("watch -n 2"));
        assertEquals("watch: Parameter 'SECONDS' expects a number from 0.1 to 86400\n"
                + "Try \"help watch\" for more information\n", session.run("watch -n 0 net:stats"));
    }

    @Test
    void helpOfNetStatsSaysWhatItTakes() throws Exception {
        String help = new Session().run("net:stats --help");
        assertTrue(help.startsWith("\nstats - show the counters of every netdev, hubport and NIC, or their rates live"), help);
        assertTrue(help.contains("   --watch [SECONDS]  every SECONDS (1), drawn in place until Ctrl-C or q") && help.contains(
                "   --reset            count from now on, in this console session only"), help);
        assertTrue(help.endsWith("   parameters:\n      String[]   [NAME] [--watch [SECONDS]] [--reset] [--help]\n"), help);
    }

    private static String capability(Terminal terminal, Capability capability) {
        String text = terminal.getStringCapability(capability);
        // terminfo's padding ($<...>) is not sent
        return text == null ? "" : org.jline.utils.Curses.tputs(text);
    }

    private static int count(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** @return the cells of the row starting with {@code first} */
    private static List<String> cells(String table, String first) {
        return table.lines().map(l -> Arrays.asList(l.trim().split(" +"))).filter(c -> c.get(0).equals(first))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + first + " in\n" + table));
    }

    /** @return RX-FRAMES and TX-FRAMES of each client, as {@code net:stats} prints them */
    private static List<String> frames(String table, String... clients) {
        return Arrays.stream(clients).flatMap(c -> {
            List<String> row = cells(table, c);
            return List.of(row.get(5), row.get(7)).stream();
        }).toList();
    }

    /** A console session whose output the test reads; it knows the thread that writes to it. */
    private final class Session {
        final CommandSession session;
        private final ByteArrayOutputStream out;
        private volatile Thread writer;

        Session() {
            this(new ByteArrayOutputStream());
        }

        Session(ByteArrayOutputStream out) {
            this.out = out;
            OutputStream recording = new OutputStream() {
                @Override
                public void write(int b) {
                    writer = Thread.currentThread();
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    writer = Thread.currentThread();
                    out.write(b, off, len);
                }
            };
            session = gogo.createSession(new ByteArrayInputStream(new byte[0]), recording, recording);
            cleanup.add(session::close);
        }

        /** Runs a line and returns what Gogo's shell would print: its output, then its result. */
        String run(String line) throws Exception {
            out.reset();
            Object result = session.execute(line);
            return output() + (result == null ? "" : result + "\n");
        }

        /** Starts a line on a thread of its own, as the shell's; its result or failure completes the future. */
        CompletableFuture<Object> start(String line) {
            CompletableFuture<Object> result = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("console").start(() -> {
                try {
                    result.complete(session.execute(line));
                } catch (Exception | Error e) {
                    result.completeExceptionally(e);
                }
            });
            return result;
        }

        /** @return the thread running the command, once it wrote */
        Thread commandThread() {
            assertTrue(writer != null, "the command wrote");
            return writer;
        }

        String output() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
