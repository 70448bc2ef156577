package net.itest;

import static org.junit.Assert.assertEquals;

import java.util.Arrays;
import java.util.List;

/** Reads the aligned tables the console prints, one row at a time. */
final class TextRows {

    private TextRows() {
    }

    /**
     * @param text  printed text
     * @param first the first cell of the wanted row
     * @return the whitespace-separated cells of the one line that starts with {@code first}
     * @throws AssertionError when no line or several lines start with it
     */
    static List<String> cells(String text, String first) {
        List<List<String>> rows = text.lines().map(line -> Arrays.asList(line.strip().split(" +")))
                .filter(cells -> cells.get(0).equals(first)).toList();
        assertEquals("one line starting with " + first + " in\n" + text, 1, rows.size());
        return rows.get(0);
    }
}
