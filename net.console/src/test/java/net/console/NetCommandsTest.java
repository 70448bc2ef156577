package net.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import net.api.ErrorClass;
import net.api.NetException;
import org.junit.jupiter.api.Test;

class NetCommandsTest {

    @Test
    void wordsBecomeNetdevAddArguments() throws NetException {
        assertEquals(Map.of("type", "socket", "id", "s0", "listen", "127.0.0.1:11122"),
                NetCommands.arguments("socket", "id=s0", "listen=127.0.0.1:11122"));
    }

    @Test
    void theFirstWordMayBeQemusWholeOptionString() throws NetException {
        assertEquals(Map.of("type", "hubport", "id", "h9", "hubid", "2"), NetCommands.arguments("hubport,id=h9,hubid=2"));
        assertEquals(Map.of("type", "hubport", "id", "h9", "hubid", "2"), NetCommands.arguments("hubport,id=h9", "hubid=2"));
    }

    @Test
    void aCommaInASpacedValueIsRefusedNotTakenAsPartOfIt() {
        NetException e = assertThrows(NetException.class,
                () -> NetCommands.arguments("socket", "id=s0", "connect=127.0.0.1:1,reconnect=5"));
        assertEquals(ErrorClass.GenericError, e.errorClass());
        assertTrue(e.getMessage().startsWith("Parameter 'connect' has a comma in its value"), e.getMessage());
    }

    @Test
    void aDoubledCommaIsACommaInTheValue() throws NetException {
        Map<String, Object> args = NetCommands.arguments("dump", "id=d0", "file=a,,b.pcap");
        assertEquals("a,b.pcap", args.get("file"));
        assertEquals(3, args.size());
    }

    @Test
    void aBareWordIsAFlag() throws NetException {
        assertEquals("on", NetCommands.arguments("l2tpv3", "id=l0", "udp").get("udp"));
    }

    @Test
    void linkStatesAreSetLinksOnAndOffOrUpAndDown() {
        assertEquals(Boolean.TRUE, NetCommands.linkUp("on"));
        assertEquals(Boolean.FALSE, NetCommands.linkUp("off"));
        assertEquals(Boolean.TRUE, NetCommands.linkUp("up"));
        assertEquals(Boolean.FALSE, NetCommands.linkUp("down"));
        assertNull(NetCommands.linkUp("sideways"));
    }

    /** HMP's words for a command given more than it takes, as QEMU 7.2 prints {@code set_link a on extra}. */
    @Test
    void wordsPastTheLastArgumentAreHmpsExtraneousCharacters() {
        assertEquals("net:link: extraneous characters at the end of line\nTry \"help net:link\" for more information",
                NetCommands.extraneous("net:link"));
    }
}
