package net.console;

import java.util.ArrayList;
import java.util.List;

/**
 * A text table for people: a header row, columns separated by two spaces, numbers right-aligned,
 * everything else left-aligned.
 */
public final class Table {

    private final List<String> headers;
    private final List<Object[]> rows = new ArrayList<>();

    /** @param headers the column titles */
    public Table(String... headers) {
        this.headers = List.of(headers);
    }

    /**
     * Adds a row.
     *
     * @param cells one value per column; {@link Number}s are right-aligned, null prints as {@code -}
     * @return this table
     */
    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException(headers.size() + " cells expected, got " + cells.length);
        }
        rows.add(cells.clone());
        return this;
    }

    /** @return the table, one line per row, each line ending with a newline */
    @Override
    public String toString() {
        int[] width = new int[headers.size()];
        boolean[] numeric = new boolean[headers.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = headers.get(c).length();
            numeric[c] = !rows.isEmpty();
        }
        for (Object[] row : rows) {
            for (int c = 0; c < width.length; c++) {
                width[c] = Math.max(width[c], text(row[c]).length());
                numeric[c] &= row[c] instanceof Number;
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers.toArray(), width, numeric);
        for (Object[] row : rows) {
            line(out, row, width, numeric);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, Object[] cells, int[] width, boolean[] numeric) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            String cell = text(cells[c]);
            String pad = " ".repeat(width[c] - cell.length());
            if (c > 0) {
                line.append("  ");
            }
            line.append(numeric[c] ? pad + cell : cell + pad);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    private static String text(Object cell) {
        return cell == null ? "-" : cell.toString();
    }
}
