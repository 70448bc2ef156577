package net.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void linkStatesAreSetLinksOnAndOffOrUpAndDown() throws NetException {
        assertTrue(NetCommands.linkUp("on"));
        assertFalse(NetCommands.linkUp("off"));
        assertTrue(NetCommands.linkUp("up"));
        assertFalse(NetCommands.linkUp("down"));
        NetException e = assertThrows(NetException.class, () -> NetCommands.linkUp("sideways"));
        assertEquals(ErrorClass.GenericError, e.errorClass());
        assertEquals("Parameter 'state' expects 'on' or 'off'", e.getMessage());
    }
}
