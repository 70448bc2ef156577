package net.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import net.api.NetException;
import net.control.Section;
import org.junit.jupiter.api.Test;

class OptionGroupTest {

    @Test
    void eachOptionUsesItsSectionsImpliedKey() throws NetException {
        assertEquals(Map.of("type", "socket", "id", "s0", "listen", ":1"),
                OptionGroup.parse("-netdev socket,id=s0,listen=:1").arguments());
        assertEquals(Map.of("type", "dump"), OptionGroup.parse("-net dump").arguments());
        assertEquals(Map.of("qom-type", "filter-dump", "id", "f0", "netdev", "s0", "file", "x y.pcap"),
                OptionGroup.parse("-object filter-dump,id=f0,netdev=s0,file=x y.pcap").arguments());
        assertEquals(Map.of("driver", "responder", "netdev", "h1"),
                OptionGroup.parse("-device responder,netdev=h1").arguments());
    }

    @Test
    void printsAsTheUserWroteIt() {
        OptionGroup group = OptionGroup.parse("-netdev socket,id=x,lisen=:1");
        assertEquals(Section.NETDEV, group.section());
        assertEquals("-netdev socket,id=x,lisen=:1", group.toString());
    }

    @Test
    void rejectsOtherOptions() {
        assertThrows(IllegalArgumentException.class, () -> OptionGroup.parse("-qmp tcp:1"));
    }
}
