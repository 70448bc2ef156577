package launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;

/**
 * The Gogo console on the terminal. Its profile is the console bundle's own, placed in the
 * framework's {@code gosh.home} next to an empty greeting, because the launcher prints its own
 * banner in place of Felix's. Two lines of that profile are left out: the clock it sets at the
 * right of the prompt, and the commands it makes of {@code java.lang.System}, whose {@code exit}
 * would stand in the way of Patchbay's own {@code exit} (net.console's {@code quit}). Patchbay's
 * commands come first when a name has no scope, so {@code help} is net.console's, one line per command.
 */
final class Console {

    /**
     * Appended to the profile: Patchbay's scope first (its help, quit, and its hook for unknown
     * names), the line reader handed to net.qmp's log (log lines go above the prompt) and to
     * net.console (a failing line prints HMP's words, not Gogo's exception), and completion of
     * the net: commands' types, option names and netdev names.
     */
    static final String PATCHBAY_LINES = """
            SCOPE = 'patchbay:gogo:*'
            __console ${.reader}
            __shell ${.reader}
            complete -c net:add -e
            complete -c net:add -a 'net:__addwords $.commandLine'
            complete -c net:del -e
            complete -c net:del -a 'net:__names'
            complete -c net:stats -e
            complete -c net:stats -a 'net:__names'
            complete -c net:link -e
            complete -c net:link -a 'wi = ($.commandLine wordIndex); if { %(wi==1) } { net:__names } { [ on off ] }'
            """;

    /** JLine's switch for a terminal without cursor control where no real one can be had. */
    private static final String JLINE_DUMB = "org.jline.terminal.dumb";

    private Console() {
    }

    /**
     * Starts the console; when it reads end of input (Ctrl-D) or runs {@code quit} or {@code stop 0}, it stops the
     * framework.
     *
     * @param framework the running framework
     * @throws BundleException when the console does not start
     * @throws IOException     when its home cannot be written
     */
    static void start(EmbeddedFramework framework) throws BundleException, IOException {
        Bundle console = framework.bundle(EmbeddedFramework.CONSOLE);
        Path etc = Files.createDirectories(framework.storage().resolve("gosh").resolve("etc"));
        URL profile = console.getEntry("gosh_profile");
        if (profile != null) {
            String text;
            try (InputStream in = profile.openStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Files.writeString(etc.resolve("gosh_profile"), patchbayProfile(text));
            Files.writeString(etc.resolve("motd"), "");
        }
        // On a pipe or a file JLine makes a dumb terminal anyway; allowing it up front spares the
        // user JLine's java.util.logging warning about it ("Unable to create a system terminal").
        if (System.getProperty(JLINE_DUMB) == null) {
            System.setProperty(JLINE_DUMB, "true");
        }
        framework.start(console);
    }

    /**
     * @param profile the console bundle's profile
     * @return it without the lines that set the right prompt or add {@code System}'s methods,
     *         followed by {@link #PATCHBAY_LINES}
     */
    static String patchbayProfile(String profile) {
        return profile.lines()
                .filter(line -> !line.strip().startsWith("\\#rprompt") && !line.strip().startsWith("addcommand system "))
                .collect(Collectors.joining("\n", "", "\n" + PATCHBAY_LINES));
    }
}
