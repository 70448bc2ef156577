package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.api.NetException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every option combination QEMU 7.2 rejects, with its message (checked against qemu-system-x86_64 7.2). */
@Timeout(30)
class SocketOptionErrorsTest {

    private static Fixture fx;

    @BeforeAll
    static void start() {
        fx = new Fixture(1);
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            socket,id=e                                     | exactly one of listen=, connect=, mcast= or udp= is required
            socket,id=e,listen=:1,connect=:2                | exactly one of listen=, connect=, mcast= or udp= is required
            socket,id=e,fd=3,mcast=230.0.0.1:1              | exactly one of listen=, connect=, mcast= or udp= is required
            socket,id=e,listen=:1,localaddr=1.2.3.4         | localaddr= is only valid with mcast= or udp=
            socket,id=e,udp=1.2.3.4:5                       | localaddr= is mandatory with udp=
            socket,id=e,listen=abc                          | host address 'abc' doesn't contain ':' separating host from port
            socket,id=e,listen=1.2.3.400:5                  | host address '1.2.3.400' is not a valid IPv4 address
            socket,id=e,listen=1a:5                         | host address '1a' is not a valid IPv4 address
            socket,id=e,listen=nosuchhost.invalid:5         | can't resolve host address 'nosuchhost.invalid'
            socket,id=e,listen=:x                           | port number 'x' is invalid
            socket,id=e,listen=:                            | port number '' is invalid
            socket,id=e,connect=127.0.0.1:+                 | port number '+' is invalid
            socket,id=e,listen=1.2.3:5                      | can't bind ip=1.2.0.3 to socket: Cannot assign requested address
            socket,id=e,listen=1.2.3.4:5                    | can't bind ip=1.2.3.4 to socket: Cannot assign requested address
            socket,id=e,mcast=10.0.0.1:5                    | specified mcastaddr 10.0.0.1 (0x0a000001) does not contain a multicast address
            socket,id=e,mcast=230.0.0.1:5,localaddr=foo     | localaddr 'foo' is not a valid IPv4 address
            socket,id=e,mcast=230.0.0.1:5,localaddr=1.2.3.4:5 | localaddr '1.2.3.4:5' is not a valid IPv4 address
            # port 0, not 5: binding a port below 1024 would need root before the join fails
            socket,id=e,mcast=230.0.0.1:0,localaddr=1.2.3.4 | can't add socket to multicast group 230.0.0.1: No such device
            socket,id=e,udp=1.2.3.4:x,localaddr=bad         | host address 'bad' doesn't contain ':' separating host from port
            socket,id=e,udp=1.2.3.4:x,localaddr=127.0.0.1:0 | port number 'x' is invalid
            socket,id=e,fd=abc                              | Invalid file descriptor number 'abc'
            socket,id=e,fd=99999                            | e: Can't use file descriptor 99999: Bad file descriptor
            socket,id=e,listen=:0,reconnect=1               | reconnect= takes a number of seconds (0 or more) and is only valid with connect=
            socket,id=e,connect=127.0.0.1:1,reconnect=-1    | reconnect= takes a number of seconds (0 or more) and is only valid with connect=
            socket,id=e,bogus=1                             | Invalid parameter 'bogus'
            """)
    void socketErrors(String options, String message) {
        assertEquals(message, fx.error(options));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            stream,id=e                                                           | Parameter 'addr' is missing
            stream,id=e,addr.host=x                                               | Parameter 'addr.type' is missing
            stream,id=e,addr.type=inet,addr.host=127.0.0.1,addr.port=1,addr.path=/x | Parameter 'addr.path' is unexpected
            stream,id=e,addr.type=inet,addr.port=1                                | Parameter 'addr.host' is missing
            stream,id=e,addr.type=inet,addr.host=127.0.0.1                        | Parameter 'addr.port' is missing
            stream,id=e,addr.type=bogus                                           | Parameter 'type' does not accept value 'bogus'
            stream,id=e,addr.type=inet,addr.host=127.0.0.1,addr.port=1,addr.to=-1 | Parameter 'to' expects uint16_t
            stream,id=e,addr.type=inet,addr.host=127.0.0.1,addr.port=1,addr.to=70000 | Parameter 'to' expects uint16_t
            stream,id=e,addr.type=inet,addr.host=127.0.0.1,addr.port=1,addr.to=1.5 | Parameter 'addr.to' expects integer
            stream,id=e,addr.type=inet,addr.host=127.0.0.1,addr.port=1,addr.to=x  | Parameter 'addr.to' expects integer
            stream,id=e,addr.type=unix                                            | Parameter 'addr.path' is missing
            stream,id=e,addr.type=fd,addr.str=x                                   | Invalid file descriptor number 'x'
            stream,id=e,addr.type=fd,addr.str=99999                               | e: Can't use file descriptor 99999: Bad file descriptor
            stream,id=e,addr.type=fd,addr.str=99999,reconnect=1                   | 'reconnect' and 'reconnect-ms' are not valid with addr.type=fd
            stream,id=e,addr.type=unix,addr.path=/tmp/x,addr.abstract=on          | abstract unix socket addresses are not supported by Patchbay
            stream,id=e,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=0,reconnect=1 | 'reconnect' and 'reconnect-ms' are only valid with server=off
            stream,id=e,addr.type=inet,addr.host=127.0.0.1,addr.port=1,reconnect=1,reconnect-ms=5 | 'reconnect' and 'reconnect-ms' are mutually exclusive
            stream,id=e,server=on,addr.type=inet,addr.host=1.2.3.4,addr.port=5    | can't bind ip=1.2.3.4 to socket: Cannot assign requested address
            dgram,id=e                                                            | dgram requires local= parameter
            dgram,id=e,local.type=inet,local.host=127.0.0.1,local.port=5          | type=inet or type=unix requires remote parameter
            dgram,id=e,local.type=inet,local.host=127.0.0.1,local.port=5,local.to=-1 | Parameter 'to' expects uint16_t
            dgram,id=e,local.type=inet,local.host=127.0.0.1,local.port=5,local.to=x | Parameter 'local.to' expects integer
            dgram,id=e,remote.type=inet,remote.host=127.0.0.1,remote.port=5       | dgram requires local= parameter
            dgram,id=e,local.type=inet,local.host=127.0.0.1,local.port=5,remote.type=unix,remote.path=/tmp/x2 | remote and local types must be the same
            dgram,id=e,local.type=unix,local.path=/nonexistent/x1,remote.type=unix,remote.path=/tmp/x2 | can't bind unix=/nonexistent/x1 to socket: No such file or directory
            dgram,id=e,local.type=fd,local.str=99999,remote.type=unix,remote.path=/tmp/x2 | don't set remote with local.fd
            dgram,id=e,local.type=fd,local.str=y                                  | Invalid file descriptor number 'y'
            dgram,id=e,local.type=fd,local.str=99999                              | e: Can't use file descriptor 99999: Bad file descriptor
            dgram,id=e,local.type=fd,local.str=3,remote.type=inet,remote.host=230.0.0.1,remote.port=5 | dgram: multicast with local.type=fd is not supported by Patchbay
            dgram,id=e,local.type=inet,local.host=1.2.3.4,local.port=5,remote.type=inet,remote.host=127.0.0.1,remote.port=5 | can't bind ip=1.2.3.4 to socket: Cannot assign requested address
            """)
    void streamAndDgramErrors(String options, String message) {
        assertEquals(message, fx.error(options));
    }

    @Test
    void aRejectedNetdevLeavesNothingBehind() throws Exception {
        fx.error("socket,id=left,listen=1.2.3.4:5");
        NetException e = org.junit.jupiter.api.Assertions.assertThrows(NetException.class, () -> fx.client("left"));
        assertEquals(net.api.ErrorClass.DeviceNotFound, e.errorClass());
    }
}
