package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.api.NetClientDriver;
import net.testlib.Await;
import net.testlib.InjectDriver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code x-query-hubs} and {@code x-query-stats} over a real QMP socket, with real frames through a
 * hub: the hub's totals equal the sums of its ports' counters in {@code x-query-netdevs}, the
 * members are QAPI's kebab-case names and {@code query-qmp-schema} describes exactly them, and the
 * generation follows {@code netdev_add}, {@code set_link} and {@code netdev_del} only.
 */
class QmpStatisticsTest extends QmpServerFixture {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int FRAME = 60;
    private final InjectDriver mem = new InjectDriver();

    @BeforeEach
    void hub() throws Exception {
        runtime.bindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
    }

    private static JsonNode returned(QmpTestClient c, String command) throws Exception {
        JsonNode reply = c.execute("{\"execute\": \"" + command + "\"}");
        assertNotNull(reply.get("return"), reply.toString());
        return reply.get("return");
    }

    private static void netdevAdd(QmpTestClient c, String arguments) throws Exception {
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {" + arguments + "}}");
    }

    /** A hub with src and two sinks, all added over QMP. */
    private void hubOfThree(QmpTestClient c) throws Exception {
        for (String id : List.of("src", "dst1", "dst2")) {
            netdevAdd(c, "\"type\": \"mem\", \"id\": \"" + id + "\"" + (id.equals("src") ? "" : ", \"tag\": \"sink\""));
            netdevAdd(c, "\"type\": \"hubport\", \"id\": \"p" + id + "\", \"hubid\": 1, \"netdev\": \"" + id + "\"");
        }
    }

    private static JsonNode netdev(QmpTestClient c, String name) throws Exception {
        for (JsonNode n : returned(c, "x-query-netdevs")) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        return null;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void hubTotalsAreTheSumsOfItsPortsInXQueryNetdevs() throws Exception {
        QmpTestClient c = negotiated();
        hubOfThree(c);
        int n = 500;
        mem.get("src").send(Collections.nCopies(n, new byte[FRAME]));
        Await.until(() -> netdev(c, "dst1").get("counters").get("rx-frames").asLong() == n
                && netdev(c, "dst2").get("counters").get("rx-frames").asLong() == n, WAIT, n + " frames at the sinks");

        JsonNode hubs = returned(c, "x-query-hubs");
        assertEquals(1, hubs.size(), hubs.toString());
        JsonNode hub = hubs.get(0);
        assertEquals(Set.of("id", "ports", "rx-frames", "rx-bytes", "tx-frames", "tx-bytes", "queued", "drops", "rate"),
                names(hub));
        assertEquals(1, hub.get("id").asInt());
        assertEquals("[\"pdst2\",\"pdst1\",\"psrc\"]", hub.get("ports").toString());
        assertEquals(n, hub.get("rx-frames").asLong());
        assertEquals((long) n * FRAME, hub.get("rx-bytes").asLong());
        assertEquals(2L * n, hub.get("tx-frames").asLong(), "each frame out of the two other ports");
        assertEquals(2L * n * FRAME, hub.get("tx-bytes").asLong());
        assertEquals(0, hub.get("queued").asInt());
        assertEquals("{}", hub.get("drops").toString());
        Map<String, Long> sums = new HashMap<>();
        long sent = 0;
        for (JsonNode netdev : returned(c, "x-query-netdevs")) {
            JsonNode counters = netdev.get("counters");
            sent += counters.get("tx-frames").asLong();
            if (netdev.get("hub").isInt()) {
                for (String counter : List.of("rx-frames", "rx-bytes", "tx-frames", "tx-bytes")) {
                    sums.merge(counter, counters.get(counter).asLong(), Long::sum);
                }
            }
        }
        for (String counter : List.of("rx-frames", "rx-bytes", "tx-frames", "tx-bytes")) {
            assertEquals(sums.get(counter).longValue(), hub.get(counter).asLong(), counter);
        }

        JsonNode stats = returned(c, "x-query-stats");
        assertEquals(Set.of("time", "interval", "generation", "netdevs", "nics", "hubs", "loops"), names(stats));
        assertEquals(hubs.get(0).get("rx-frames"), stats.get("hubs").get(0).get("rx-frames"));
        assertTrue(Instant.parse(stats.get("time").asText()).isBefore(Instant.now().plusSeconds(1)), stats.toString());
        long frames = 0;
        for (JsonNode loop : stats.get("loops")) {
            assertEquals(Set.of("name", "clients", "iterations", "busy-nanos", "frames"), names(loop));
            assertTrue(loop.get("iterations").asLong() > 0 && loop.get("busy-nanos").asLong() > 0, loop.toString());
            frames += loop.get("frames").asLong();
        }
        assertEquals(2, stats.get("loops").size());
        assertEquals(3L * n, sent);
        assertEquals(sent, frames, "each frame counted once, by the loop that sent it");

        Await.until(() -> returned(c, "x-query-stats").get("netdevs").has("src"), WAIT, "src's first rate");
        JsonNode rate = returned(c, "x-query-stats").get("netdevs").get("src");
        assertEquals(Set.of("rx-frames-per-second", "rx-bits-per-second", "tx-frames-per-second", "tx-bits-per-second",
                "drops-per-second"), names(rate));
        assertTrue(rate.get("tx-frames-per-second").isNumber(), rate.toString());
        assertEquals("{}", returned(c, "x-query-stats").get("nics").toString());
    }

    @Test
    void generationFollowsNetdevAddSetLinkAndNetdevDelOnly() throws Exception {
        QmpTestClient c = negotiated();
        hubOfThree(c);
        long g = returned(c, "x-query-stats").get("generation").asLong();
        returned(c, "x-query-netdevs");
        returned(c, "x-query-hubs");
        mem.get("src").send(Collections.nCopies(10, new byte[FRAME]));
        assertEquals(g, returned(c, "x-query-stats").get("generation").asLong(), "queries and frames change nothing");

        netdevAdd(c, "\"type\": \"mem\", \"id\": \"extra\"");
        long added = returned(c, "x-query-stats").get("generation").asLong();
        assertNotEquals(g, added, "netdev_add");
        c.assertEmptyReturn("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"extra\", \"up\": false}}");
        long linked = returned(c, "x-query-stats").get("generation").asLong();
        assertNotEquals(added, linked, "set_link");
        Await.until(() -> returned(c, "x-query-stats").get("netdevs").has("extra"), WAIT, "extra's first rate");
        c.assertEmptyReturn("{\"execute\": \"netdev_del\", \"arguments\": {\"id\": \"extra\"}}");
        JsonNode deleted = returned(c, "x-query-stats");
        assertNotEquals(linked, deleted.get("generation").asLong(), "netdev_del");
        assertFalse(deleted.get("netdevs").has("extra"), deleted.toString());
    }

    /** query-qmp-schema names exactly the members the answers have. */
    @Test
    void schemaDescribesTheAnswers() throws Exception {
        QmpTestClient c = negotiated();
        hubOfThree(c);
        Await.until(() -> returned(c, "x-query-stats").get("interval").asDouble() > 0, WAIT, "the first interval");
        JsonNode stats = returned(c, "x-query-stats");
        Map<String, JsonNode> schema = new HashMap<>();
        returned(c, "query-qmp-schema").forEach(e -> schema.put(e.get("name").asText(), e));

        JsonNode statsType = schema.get(schema.get("x-query-stats").get("ret-type").asText());
        assertEquals(names(stats), members(statsType));
        assertEquals("str", memberType(statsType, "time"));
        assertEquals("number", memberType(statsType, "interval"));
        assertEquals("int", memberType(statsType, "generation"));

        JsonNode hubsType = schema.get(schema.get("x-query-hubs").get("ret-type").asText());
        assertEquals("array", hubsType.get("meta-type").asText());
        JsonNode hubType = schema.get(hubsType.get("element-type").asText());
        JsonNode hub = stats.get("hubs").get(0);
        assertEquals(names(hub), members(hubType));
        assertEquals(names(hub.get("rate")), members(schema.get(memberType(hubType, "rate"))));
        JsonNode loopType = schema.get(schema.get(memberType(statsType, "loops")).get("element-type").asText());
        assertEquals(names(stats.get("loops").get(0)), members(loopType));
        assertEquals(hubType, schema.get(schema.get(memberType(statsType, "hubs")).get("element-type").asText()),
                "one hub type for both commands");
    }

    private static Set<String> members(JsonNode objectType) {
        Set<String> names = new TreeSet<>();
        objectType.get("members").forEach(m -> names.add(m.get("name").asText()));
        return names;
    }

    private static String memberType(JsonNode objectType, String name) {
        List<String> types = new ArrayList<>();
        objectType.get("members").forEach(m -> {
            if (m.get("name").asText().equals(name)) {
                types.add(m.get("type").asText());
            }
        });
        assertEquals(1, types.size(), name + " in " + objectType);
        return types.get(0);
    }
}
