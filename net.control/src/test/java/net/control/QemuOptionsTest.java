package net.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.api.NetException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QemuOptionsTest {

    @Test
    void impliedTypeAndPairs() throws NetException {
        assertEquals(Map.of("type", "socket", "id", "s0", "listen", ":11122"),
                QemuOptions.parse("socket,id=s0,listen=:11122", "type"));
    }

    @Test
    void doubledCommaIsALiteralComma() throws NetException {
        Map<String, Object> tree = QemuOptions.parse("dump,id=d,file=a,,b.pcap,len=64k", "type");
        assertEquals("a,b.pcap", tree.get("file"));
        assertEquals("64k", tree.get("len"));
        assertEquals("dump,id=d,file=a,,b.pcap,len=64k".replace("dump,", "type=dump,"), QemuOptions.format(tree));
    }

    @Test
    void bareKeyMeansOnAndNoImpliedKeyWithoutEquals() throws NetException {
        assertEquals(Map.of("type", "l2tpv3", "udp", "on"), QemuOptions.parse("l2tpv3,udp", "type"));
        assertEquals(Map.of("udp", "on"), QemuOptions.parse("udp", null));
        assertEquals(Map.of("type", "socket"), QemuOptions.parse("type=socket", "type"));
    }

    /** QemuOpts keeps every value of a key given again; one value is the last one. */
    @Test
    void aRepeatedKeyKeepsEveryValueInOrder() throws NetException {
        Map<String, Object> tree = QemuOptions.parse("user,id=u,hostfwd=tcp::1-:2,hostfwd=udp::3-:4,hostfwd=tcp::5-:6", "type");
        assertEquals(List.of("tcp::1-:2", "udp::3-:4", "tcp::5-:6"), tree.get("hostfwd"));
        assertEquals("tcp::5-:6", String.valueOf(tree.get("hostfwd")), "a reader of one value gets the last");
        assertEquals("type=user,id=u,hostfwd=tcp::1-:2,hostfwd=udp::3-:4,hostfwd=tcp::5-:6", QemuOptions.format(tree));
    }

    @Test
    void dottedKeysNestAndIndexedObjectsBecomeLists() throws NetException {
        Map<String, Object> tree = QemuOptions.parse("stream,id=s,addr.type=inet,addr.host=127.0.0.1,addr.port=1,"
                + "hostfwd.0=a,hostfwd.1=b", "type");
        assertEquals(Map.of("type", "inet", "host", "127.0.0.1", "port", "1"), tree.get("addr"));
        assertEquals(List.of("a", "b"), tree.get("hostfwd"));
    }

    @Test
    void lastRepeatedKeyWinsAndEmptyTrailingElementIsIgnored() throws NetException {
        Map<String, Object> tree = QemuOptions.parse("socket,id=a,id=b,", "type");
        assertEquals(List.of("type", "id"), List.copyOf(tree.keySet()));
        assertEquals("b", String.valueOf(tree.get("id")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "socket,=x|Invalid parameter ''",
        "socket,a..b=1|Invalid parameter 'a..b'",
        "socket,a=1,a.b=2|Parameter 'a' used inconsistently",
        "socket,a.b=2,a=1|Parameter 'a' used inconsistently"})
    void malformedStringsGetQemusErrors(String text, String message) {
        assertEquals(message, assertThrows(NetException.class, () -> QemuOptions.parse(text, "type")).getMessage());
    }

    @Test
    void nestBuildsTheSameTreeFromFlatProperties() throws NetException {
        Map<String, Object> flat = new LinkedHashMap<>();
        flat.put("addr.type", "unix");
        flat.put("addr.path", "/tmp/s");
        assertEquals(Map.of("addr", Map.of("type", "unix", "path", "/tmp/s")), QemuOptions.nest(flat));
    }
}
