package net.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import net.api.NetException;
import net.api.ByteSize;
import net.control.QemuOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptionBinderTest {

    record Addr(@JsonProperty(required = true) String host, Integer port) {
    }

    record Opts(@JsonProperty(required = true) Long txsession, ByteSize len, Boolean udp, Integer offset,
            @JsonProperty("poll-us") Integer pollUs, Addr addr) {
    }

    private final OptionBinder binder = new OptionBinder();

    private Opts bind(String text) throws NetException {
        return binder.bind(Opts.class, QemuOptions.parse(text, null), false);
    }

    @Test
    void commandLineStringsConvert() throws NetException {
        Opts o = bind("txsession=7,len=64k,udp=on,offset=4,poll-us=50,addr.host=h,addr.port=9");
        assertEquals(7L, o.txsession());
        assertEquals(65536, o.len().bytes());
        assertEquals(Boolean.TRUE, o.udp());
        assertEquals(50, o.pollUs());
        assertEquals(new Addr("h", 9), o.addr());
    }

    record Forwards(String id, java.util.List<String> hostfwd) {
    }

    /** As QEMU's QemuOpts: a key given again fills a list option, and any other keeps its last value. */
    @Test
    void aRepeatedKeyFillsAListAndOtherwiseTheLastValueCounts() throws NetException {
        Forwards f = binder.bind(Forwards.class, QemuOptions.parse("id=a,hostfwd=tcp::1-:2,id=b,hostfwd=udp::3-:4", null), false);
        assertEquals(new Forwards("b", java.util.List.of("tcp::1-:2", "udp::3-:4")), f);
        assertEquals(java.util.List.of("tcp::1-:2"), binder.bind(Forwards.class, QemuOptions.parse("hostfwd=tcp::1-:2", null),
                false).hostfwd());
        assertEquals(new Opts(8L, null, Boolean.FALSE, null, null, null), bind("txsession=7,udp=on,txsession=8,udp=off"));
    }

    @Test
    void typedJsonBindsToo() throws NetException {
        Opts o = binder.bind(Opts.class, Map.of("txsession", 7, "len", 1500, "udp", false), false);
        assertEquals(1500, o.len().bytes());
        assertEquals(Boolean.FALSE, o.udp());
    }

    /** A device property whose value type refuses what it cannot read, as a MAC address would. */
    record Mac(String text) {
        Mac {
            if (!text.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
                throw new IllegalArgumentException("a MAC address");
            }
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        static Mac of(String text) {
            return new Mac(text);
        }
    }

    record NicOpts(Mac mac, Boolean promisc, Integer speed) {
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "foo=1|Property 'e1000.foo' not found",
        "mac=zz|Property 'e1000.mac' doesn't take value 'zz'",
        "promisc=maybe|Parameter 'promisc' expects 'on' or 'off'",
        "speed=x|Parameter 'speed' expects integer",
        "speed=99999999999|Parameter 'speed' expects int32_t"})
    void devicePropertiesAreRefusedInQemusWordsForDevices(String text, String message) {
        assertEquals(message, assertThrows(NetException.class,
                () -> binder.bindDevice(NicOpts.class, QemuOptions.parse(text, null), "e1000")).getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "len=1|Parameter 'txsession' is missing",
        "txsession=1,foo=2|Invalid parameter 'foo'",
        "txsession=1,udp=sometimes|Parameter 'udp' expects 'on' or 'off'",
        "txsession=1,len=lots|Parameter 'len' expects a size value",
        "txsession=1,offset=x|Parameter 'offset' expects an int64 value",
        "txsession=1,offset=99999999999|Parameter 'offset' expects int32_t",
        "txsession=1,addr.port=1|Parameter 'addr.host' is missing",
        "txsession=1,addr.host=h,addr.nope=1|Invalid parameter 'addr.nope'"})
    void qemuErrors(String text, String message) {
        assertEquals(message, assertThrows(NetException.class, () -> bind(text)).getMessage());
    }

    @Test
    void keyvalTypesNameAnUnknownParameterAsQapiDoes() {
        assertEquals("Parameter 'addr.nope' is unexpected", assertThrows(NetException.class,
                () -> binder.bind(Opts.class, QemuOptions.parse("txsession=1,addr.host=h,addr.nope=1", null), true))
                .getMessage());
    }
}
