package net.qmp.server;

/**
 * An HMP command line read as QEMU's monitor reads it: words separated by blanks, a word in double
 * quotes may hold blanks and the escapes {@code \n \r \\ \' \"} (another escape, or no closing
 * quote, and there is no string). Reading errors are
 * {@link Syntax}, which the monitor prints followed by its {@code Try "help ..."} line.
 */
final class HmpLine {

    /** A line that does not fit the command's arguments: QEMU's message, without the Try line. */
    static final class Syntax extends Exception {
        Syntax(String message) {
            super(message, null, false, false);
        }
    }

    private final String text;
    private int at;

    HmpLine(String text) {
        this.text = text;
    }

    /** @return whether only blanks are left */
    boolean atEnd() {
        skipBlanks();
        return at >= text.length();
    }

    /** @return the next word as is (a command name): up to the next blank; empty at the end */
    String name() {
        skipBlanks();
        int start = at;
        while (at < text.length() && !blank(text.charAt(at))) {
            at++;
        }
        return text.substring(start, at);
    }

    /**
     * A string argument ({@code s} in QEMU's argument types).
     *
     * @param command the command's name, for the message
     * @return the word, quotes and escapes resolved
     * @throws Syntax {@code NAME: string expected} when there is none, or a quoted one is malformed
     */
    String string(String command) throws Syntax {
        if (atEnd()) {
            throw new Syntax(command + ": string expected");
        }
        if (text.charAt(at) != '"') {
            return name();
        }
        StringBuilder out = new StringBuilder();
        for (at++; at < text.length() && text.charAt(at) != '"'; at++) {
            char c = text.charAt(at);
            if (c == '\\' && at + 1 < text.length()) {
                char next = text.charAt(++at);
                out.append(switch (next) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case '\\', '\'', '"' -> next;
                    default -> throw new Syntax(command + ": string expected");
                });
            } else {
                out.append(c);
            }
        }
        if (at >= text.length()) {
            throw new Syntax(command + ": string expected");
        }
        at++;
        return out.toString();
    }

    /**
     * A boolean argument ({@code b}): {@code on} or {@code off}.
     *
     * @throws Syntax when it is neither
     */
    boolean onOff() throws Syntax {
        return switch (name()) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new Syntax("Expected 'on' or 'off'");
        };
    }

    /** @return the rest of the line without leading blanks ({@code S}); empty at the end */
    String rest() {
        skipBlanks();
        String rest = text.substring(at);
        at = text.length();
        return rest;
    }

    /**
     * @param command the command's name, for the message
     * @throws Syntax when more than blanks is left
     */
    void end(String command) throws Syntax {
        if (!atEnd()) {
            throw new Syntax(command + ": extraneous characters at the end of line");
        }
    }

    private void skipBlanks() {
        while (at < text.length() && blank(text.charAt(at))) {
            at++;
        }
    }

    private static boolean blank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }
}
