package net.console;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The console's {@code watch}, in place of gogo.jline's, which the console profile would find
 * first otherwise. Gogo's shows a blank screen for Patchbay's commands: it prints what a command
 * wrote, while they return their text as the result (so that it can be kept in a variable), which
 * only the shell prints. And Ctrl-C leaves it running in the background, clearing the screen and
 * taking the next key typed, or (without Patchbay's line guard) prints the stack traces of the
 * command it interrupted. This one prints the result too, draws in place as {@code net:stats
 * --watch} does ({@link Watch}), and ends on Ctrl-C or {@code q} with the terminal as it was.
 */
@Component(service = WatchCommand.class, property = {
        "osgi.command.scope=patchbay",
        "osgi.command.function=watch"})
public class WatchCommand {

    private static final String COMMAND = "watch";
    private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final CommandProcessor processor;

    /** @param processor Gogo's, to run the command watched in a session of its own */
    @Activate
    public WatchCommand(@Reference CommandProcessor processor) {
        this.processor = processor;
    }

    /**
     * @param session the console session
     * @param words   the options and the command line to watch
     * @return null once the watch ends, else the error line
     * @throws Exception when a screen cannot be drawn
     */
    @Descriptor("""
            run a command again and again, showing its output and result in place, until Ctrl-C or q
               -n SECONDS  every SECONDS (1)
               -a          one output after another, not in place""")
    public String watch(CommandSession session,
            @Descriptor("[-n SECONDS] [-a] COMMAND...") String... words) throws Exception {
        Interval interval = Interval.DEFAULT;
        boolean append = false;
        int i = 0;
        for (; i < words.length && words[i].startsWith("-"); i++) {
            switch (words[i]) {
                case "-n", "--interval" -> {
                    interval = i + 1 < words.length ? Interval.parse(words[++i]) : null;
                    if (interval == null || !interval.valid()) {
                        return failed(Interval.RANGE);
                    }
                }
                case "-a", "--append" -> append = true;
                case "-?", "--help" -> {
                    return HelpCommand.explain(WatchCommand.class, COMMAND, "patchbay").stripTrailing();
                }
                default -> {
                    return failed("Invalid parameter '" + words[i] + "'");
                }
            }
        }
        if (i == words.length) {
            return failed("command expected");
        }
        String line = String.join(" ", List.of(words).subList(i, words.length));
        String title = "every " + interval + ": " + line;
        Watch.run(session, interval.duration(), !append,
                stops -> title + ", " + LocalTime.now().format(HH_MM_SS) + stops + "\n" + run(session, line));
        return null;
    }

    /**
     * Runs the line in a session of its own that has this one's variables (its scope, a
     * {@code net:stats --reset}), but not its terminal: what the line shows goes to this screen.
     *
     * @return what it wrote, then its result as the shell prints it, or its failure in HMP's words
     */
    private String run(CommandSession session, String line) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandSession own = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            for (String name : variables(session)) {
                own.put(name, session.get(name));
            }
            Object result = own.execute(line);
            String text = out.toString(StandardCharsets.UTF_8);
            return result == null ? text : text + own.format(result, Converter.INSPECT) + "\n";
        } catch (InterruptedException e) {
            throw e; // Ctrl-C: the watch ends
        } catch (Exception e) {
            return out.toString(StandardCharsets.UTF_8) + ShellErrors.words(e) + "\n";
        } finally {
            own.close(); // also ends whatever the line left running
        }
    }

    /** The session's variables but the shell's own objects: its terminal and line reader, and the computed ones. */
    private static List<String> variables(CommandSession session) {
        List<String> names = new ArrayList<>();
        if (session.get(".variables") instanceof Set<?> all) {
            for (Object name : all) {
                String n = String.valueOf(name);
                if (!n.startsWith("#") && !n.equals(".terminal") && !n.equals(".reader")) {
                    names.add(n);
                }
            }
        }
        return names;
    }

    private static String failed(String message) {
        return COMMAND + ": " + message + "\nTry \"help " + COMMAND + "\" for more information";
    }
}
