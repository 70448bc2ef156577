package net.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetCompletionTest {

    /** An option record as drivers declare them. */
    record Options(String listen, @JsonProperty("ipv6-only") Boolean ipv6Only) {
    }

    @Test
    void optionNamesAreTheNamesOptionsAreBoundBy() {
        assertEquals(Set.of("listen", "ipv6-only"), Set.copyOf(NetCompletion.optionNames(Options.class)));
        assertEquals(List.of(), NetCompletion.optionNames(null));
    }
}
