package net.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void alignsColumnsAndRightAlignsNumbers() {
        String text = new Table("KIND", "TYPE", "INSTANCES")
                .row("netdev", "hubport", 12)
                .row("filter", "filter-dump", 3)
                .row("nic", null, 100)
                .toString();
        assertEquals("""
                KIND    TYPE         INSTANCES
                netdev  hubport             12
                filter  filter-dump          3
                nic     -                  100
                """, text);
    }

    @Test
    void headerOnlyWhenEmpty() {
        assertEquals("A  B\n", new Table("A", "B").toString());
    }

    @Test
    void rejectsARowOfTheWrongWidth() {
        assertThrows(IllegalArgumentException.class, () -> new Table("A", "B").row("x"));
    }
}
