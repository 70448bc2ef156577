package net.qmp.shell;

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
    void aCommaInsideAWordStaysInItsValue() throws NetException {
        Map<String, Object> args = NetCommands.arguments("dump", "id=d0", "file=a,b.pcap");
        assertEquals("a,b.pcap", args.get("file"));
        assertEquals(3, args.size());
    }

    @Test
    void aBareWordIsAFlag() throws NetException {
        assertEquals("on", NetCommands.arguments("l2tpv3", "id=l0", "udp").get("udp"));
    }

    @Test
    void linkStatesAreUpAndDownOnly() throws NetException {
        assertTrue(NetCommands.linkUp("up"));
        assertFalse(NetCommands.linkUp("down"));
        NetException e = assertThrows(NetException.class, () -> NetCommands.linkUp("on"));
        assertEquals(ErrorClass.GenericError, e.errorClass());
        assertEquals("Parameter 'state' expects 'up' or 'down'", e.getMessage());
    }
}
