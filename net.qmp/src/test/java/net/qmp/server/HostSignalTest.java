package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import net.testlib.Await;
import org.junit.jupiter.api.Test;

/**
 * A stop on a signal ({@link QmpServer#hostSignal()}): every negotiated client gets QEMU's
 * {@code SHUTDOWN} with reason {@code host-signal}, and a client that reads nothing holds the
 * stop for {@link QmpServer#FAREWELL} at most. (The launcher's test compares the bytes with
 * QEMU's.)
 */
class HostSignalTest extends QmpServerFixture {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyReaderGetsShutdownAndAClientThatDoesNotReadHoldsTheStopBriefly() throws Exception {
        QmpTestClient reader = negotiated();
        // The hog's replies stay below its endpoint's bound, so SHUTDOWN does not find it there
        // (which would cut it at once, not wait): a bound of 64M, and 32M of replies, enough to
        // fill any kernel's socket buffers many times over.
        String request = "{\"execute\": \"query-qmp-schema\"}\n";
        int replyBytes = reader.executeRaw(request.strip()).length();
        int requests = 32 * 1024 * 1024 / replyBytes;
        QmpEndpoint hogs = (QmpEndpoint) server.listen("tcp:127.0.0.1:0,server=on,wait=off,max-queued=64M");
        String address = hogs.address();
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        try (SocketChannel hog = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            hog.write(ByteBuffer.wrap("{\"execute\": \"qmp_capabilities\"}\n".getBytes(StandardCharsets.US_ASCII)));
            Await.until(() -> hogs.clients().size() == 1 && hogs.clients().getFirst().negotiated(), "the hog negotiated");
            QmpSession session = hogs.sessions().getFirst();
            // Far more replies than the kernel's buffers hold: the hog's writer blocks for good.
            byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < requests; i++) {
                hog.write(ByteBuffer.wrap(bytes));
            }
            Await.until(() -> session.queuedBytes() >= 256 * 1024, "replies wait for the hog");

            long start = System.nanoTime();
            server.hostSignal();
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertTrue(millis >= QmpServer.FAREWELL.toMillis() && millis < 1_000, millis + " ms");
            JsonNode event = reader.nextEvent();
            assertEquals("SHUTDOWN", event.path("event").asText(), event.toString());
            assertEquals(JSON.readTree("{\"guest\": false, \"reason\": \"host-signal\"}"), event.get("data"));
        }
    }
}
