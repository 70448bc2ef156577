package launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A table of inputs given to QEMU 7.2 and to Patchbay alike, read from a text resource so that
 * rows are added without touching code. Format, one directive per line:
 *
 * <pre>
 * # a comment
 * == title of the next row
 * -&gt; an input (a raw QMP line, or a command-line option such as -netdev hubport,id=a)
 * !! departure: why Patchbay answers differently on purpose
 * &#64;raw                (QMP only: no qmp_capabilities is sent first)
 * </pre>
 *
 * {@code ${DIR}} in an input is a directory of each side's own.
 */
record DialectTable(List<Row> rows) {

    /**
     * One row.
     *
     * @param title     what it shows
     * @param inputs    what is sent, in order
     * @param departure why Patchbay differs on purpose, or null when it must answer as QEMU does
     * @param raw       whether the QMP session is left in negotiation mode
     */
    record Row(String title, List<String> inputs, String departure, boolean raw) {
        @Override
        public String toString() {
            return title;
        }
    }

    static DialectTable load(String resource) throws IOException {
        String text;
        try (InputStream in = DialectTable.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no resource " + resource);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Row> rows = new ArrayList<>();
        String title = null;
        List<String> inputs = new ArrayList<>();
        String departure = null;
        boolean raw = false;
        for (String line : (text + "\n== end").lines().toList()) {
            if (line.startsWith("== ")) {
                if (title != null) {
                    if (inputs.isEmpty()) {
                        throw new IOException(resource + ": row '" + title + "' has no input");
                    }
                    rows.add(new Row(title, List.copyOf(inputs), departure, raw));
                }
                title = line.substring(3).strip();
                inputs.clear();
                departure = null;
                raw = false;
            } else if (line.startsWith("-> ")) {
                inputs.add(line.substring(3));
            } else if (line.startsWith("!! ")) {
                departure = line.substring(3).strip();
            } else if (line.strip().equals("@raw")) {
                raw = true;
            } else if (!line.isBlank() && !line.startsWith("#")) {
                throw new IOException(resource + ": cannot read '" + line + "'");
            }
        }
        return new DialectTable(List.copyOf(rows));
    }
}
