package net.qmp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.api.NetException;
import net.control.NetdevTypes;

/**
 * The arguments of {@code netdev_add} and {@code object-add} checked as QEMU 7.2's QAPI input
 * visitor checks them against its schema ({@code Netdev}, {@code ObjectOptions}): members in
 * schema order, missing before mistyped, strict JSON types, C integer ranges, enum values, and
 * only then members the type does not have. What passes is handed to the runtime in the
 * command line's form (strings, {@code on}/{@code off}), which every driver reads.
 *
 * <p>A type QEMU does not have but a bundle installs has no schema here: its members go to the
 * runtime as they are, typed, and the runtime checks them against the driver's option record.
 */
final class QapiInput {

    /** A QAPI type. */
    private sealed interface Type {
    }

    /** QAPI's built-in scalars; integers with their C range. */
    private enum Scalar implements Type {
        STR, BOOL, INT, INT32, UINT16, UINT32, UINT64, SIZE
    }

    /** A list of one type. */
    private record ListOf(Type element) implements Type {
    }

    /** An enum's values. */
    private record Enum(List<String> values) implements Type {
    }

    /** A struct, or a union's base members (the discriminator among them) and its branches. */
    private record Struct(List<Member> members, String discriminator, Map<String, Struct> branches) implements Type {
        Struct(Member... members) {
            this(List.of(members), null, Map.of());
        }
    }

    private record Member(String name, Type type, boolean required) {
    }

    private static Member req(String name, Type type) {
        return new Member(name, type, true);
    }

    private static Member opt(String name, Type type) {
        return new Member(name, type, false);
    }

    private static Member[] strings(String... names) {
        return java.util.Arrays.stream(names).map(n -> opt(n, Scalar.STR)).toArray(Member[]::new);
    }

    private static Member[] concat(Member[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(Member[]::new);
    }

    private static final Struct STRING = new Struct(req("str", Scalar.STR));

    /** QEMU 7.2's {@code SocketAddress} on Linux. */
    private static final Struct SOCKET_ADDRESS = new Struct(
            List.of(req("type", new Enum(List.of("inet", "unix", "vsock", "fd")))), "type", Map.of(
            "inet", new Struct(req("host", Scalar.STR), req("port", Scalar.STR), opt("numeric", Scalar.BOOL),
                    opt("to", Scalar.UINT16), opt("ipv4", Scalar.BOOL), opt("ipv6", Scalar.BOOL),
                    opt("keep-alive", Scalar.BOOL), opt("mptcp", Scalar.BOOL)),
            "unix", new Struct(req("path", Scalar.STR), opt("abstract", Scalar.BOOL), opt("tight", Scalar.BOOL)),
            "vsock", new Struct(req("cid", Scalar.STR), req("port", Scalar.STR)),
            "fd", STRING));

    /** QEMU 7.2's {@code Netdev} branches (qapi/net.json), members in schema order. */
    private static final Map<String, Struct> NETDEV_BRANCHES = Map.ofEntries(
            Map.entry("none", new Struct()),
            Map.entry("nic", new Struct(concat(strings("netdev", "macaddr", "model", "addr"),
                    new Member[] {opt("vectors", Scalar.UINT32)}))),
            Map.entry("user", new Struct(concat(
                    new Member[] {opt("hostname", Scalar.STR), opt("restrict", Scalar.BOOL), opt("ipv4", Scalar.BOOL),
                        opt("ipv6", Scalar.BOOL)},
                    strings("ip", "net", "host", "tftp", "bootfile", "dhcpstart", "dns"),
                    new Member[] {opt("dnssearch", new ListOf(STRING)), opt("domainname", Scalar.STR),
                        opt("ipv6-prefix", Scalar.STR), opt("ipv6-prefixlen", Scalar.INT)},
                    strings("ipv6-host", "ipv6-dns", "smb", "smbserver"),
                    new Member[] {opt("hostfwd", new ListOf(STRING)), opt("guestfwd", new ListOf(STRING)),
                        opt("tftp-server-name", Scalar.STR)}))),
            Map.entry("tap", new Struct(concat(strings("ifname", "fd", "fds", "script", "downscript", "br", "helper"),
                    new Member[] {opt("sndbuf", Scalar.SIZE), opt("vnet_hdr", Scalar.BOOL), opt("vhost", Scalar.BOOL)},
                    strings("vhostfd", "vhostfds"),
                    new Member[] {opt("vhostforce", Scalar.BOOL), opt("queues", Scalar.UINT32),
                        opt("poll-us", Scalar.UINT32)}))),
            Map.entry("l2tpv3", new Struct(req("src", Scalar.STR), req("dst", Scalar.STR), opt("srcport", Scalar.STR),
                    opt("dstport", Scalar.STR), opt("ipv6", Scalar.BOOL), opt("udp", Scalar.BOOL),
                    opt("cookie64", Scalar.BOOL), opt("counter", Scalar.BOOL), opt("pincounter", Scalar.BOOL),
                    opt("txcookie", Scalar.UINT64), opt("rxcookie", Scalar.UINT64), req("txsession", Scalar.UINT32),
                    opt("rxsession", Scalar.UINT32), opt("offset", Scalar.UINT32))),
            // Patchbay's additions, beyond 7.2: socket's reconnect, and stream's from QEMU 8.0 and 9.2.
            Map.entry("socket", new Struct(concat(strings("fd", "listen", "connect", "mcast", "localaddr", "udp"),
                    new Member[] {opt("reconnect", Scalar.INT)}))),
            Map.entry("stream", new Struct(req("addr", SOCKET_ADDRESS), opt("server", Scalar.BOOL),
                    opt("reconnect", Scalar.INT), opt("reconnect-ms", Scalar.INT))),
            Map.entry("dgram", new Struct(opt("local", SOCKET_ADDRESS), opt("remote", SOCKET_ADDRESS))),
            Map.entry("vde", new Struct(opt("sock", Scalar.STR), opt("port", Scalar.UINT16), opt("group", Scalar.STR),
                    opt("mode", Scalar.UINT16))),
            Map.entry("bridge", new Struct(strings("br", "helper"))),
            Map.entry("hubport", new Struct(req("hubid", Scalar.INT32), opt("netdev", Scalar.STR))),
            Map.entry("netmap", new Struct(req("ifname", Scalar.STR), opt("devname", Scalar.STR))),
            Map.entry("vhost-user", new Struct(req("chardev", Scalar.STR), opt("vhostforce", Scalar.BOOL),
                    opt("queues", Scalar.INT))),
            Map.entry("vhost-vdpa", new Struct(opt("vhostdev", Scalar.STR), opt("vhostfd", Scalar.STR),
                    opt("queues", Scalar.INT), opt("x-svq", Scalar.BOOL))));

    /** {@code NetfilterProperties}, the base of every filter's properties. */
    private static final Member[] NETFILTER = {req("netdev", Scalar.STR),
        opt("queue", new Enum(List.of("all", "rx", "tx"))), opt("status", Scalar.STR), opt("position", Scalar.STR),
        opt("insert", new Enum(List.of("before", "behind")))};

    /** The {@code ObjectOptions} branches of the objects Patchbay may have. */
    private static final Map<String, Struct> OBJECT_BRANCHES = Map.of(
            "filter-dump", new Struct(concat(NETFILTER, new Member[] {req("file", Scalar.STR),
                opt("maxlen", Scalar.UINT32)})),
            "filter-buffer", new Struct(concat(NETFILTER, new Member[] {req("interval", Scalar.UINT32)})),
            "filter-mirror", new Struct(concat(NETFILTER, new Member[] {req("outdev", Scalar.STR),
                opt("vnet_hdr_support", Scalar.BOOL)})),
            "filter-redirector", new Struct(concat(NETFILTER, new Member[] {opt("indev", Scalar.STR),
                opt("outdev", Scalar.STR), opt("vnet_hdr_support", Scalar.BOOL)})));

    private static final BigInteger UINT64_LIMIT = BigInteger.ONE.shiftLeft(64);

    private QapiInput() {
    }

    /**
     * @param arguments {@code netdev_add}'s arguments
     * @param installed the netdev types drivers provide now, beyond QEMU's
     * @return the netdev in the command line's form, {@code id} and {@code type} included
     * @throws NetException QEMU 7.2's error for the first problem
     */
    static Map<String, Object> netdev(ObjectNode arguments, Set<String> installed) throws NetException {
        List<String> types = new ArrayList<>(NetdevTypes.QEMU);
        installed.stream().filter(t -> !types.contains(t)).forEach(types::add);
        return union(arguments, List.of(req("id", Scalar.STR), req("type", new Enum(types))), "type", NETDEV_BRANCHES);
    }

    /**
     * @param arguments {@code object-add}'s arguments
     * @param installed the object (filter) types drivers provide now
     * @return the object in the command line's form, {@code qom-type} and {@code id} included
     * @throws NetException QEMU 7.2's error for the first problem; an object type Patchbay does
     *                      not have is an unknown value
     */
    static Map<String, Object> object(ObjectNode arguments, Set<String> installed) throws NetException {
        List<String> types = new ArrayList<>(OBJECT_BRANCHES.keySet());
        installed.stream().filter(t -> !types.contains(t)).forEach(types::add);
        return union(arguments, List.of(req("qom-type", new Enum(types)), req("id", Scalar.STR)), "qom-type",
                OBJECT_BRANCHES);
    }

    /**
     * @param schema where the type goes
     * @param type   a netdev type
     * @return QEMU's {@code Netdev} branch of that type as introspection states it, or null when
     *         QEMU has no such type
     */
    static String netdevSchema(SchemaBuilder schema, String type) {
        Struct branch = NETDEV_BRANCHES.get(type);
        return branch == null ? null : describe(schema, branch);
    }

    /** @return QEMU's {@code ObjectOptions} branch of that object type, or null when QEMU has none */
    static String objectSchema(SchemaBuilder schema, String type) {
        Struct branch = OBJECT_BRANCHES.get(type);
        return branch == null ? null : describe(schema, branch);
    }

    /** @return the members of {@code NetfilterProperties}, every filter's first */
    static List<SchemaBuilder.Member> netfilterSchema(SchemaBuilder schema) {
        return members(schema, List.of(NETFILTER));
    }

    /** @return QEMU's {@code SocketAddress} */
    static String socketAddressSchema(SchemaBuilder schema) {
        return describe(schema, SOCKET_ADDRESS);
    }

    /** A type as QEMU's introspection states it: every integer kind is the built-in {@code int}. */
    private static String describe(SchemaBuilder schema, Type type) {
        return switch (type) {
            case Scalar.STR -> schema.builtin(SchemaBuilder.STR);
            case Scalar.BOOL -> schema.builtin(SchemaBuilder.BOOL);
            case Scalar.INT, Scalar.INT32, Scalar.UINT16, Scalar.UINT32, Scalar.UINT64, Scalar.SIZE ->
                    schema.builtin(SchemaBuilder.INT);
            case Enum e -> schema.enumeration(e.values());
            case ListOf list -> schema.array(describe(schema, list.element()));
            case Struct struct when struct.discriminator() == null -> schema.object(members(schema, struct.members()));
            case Struct struct -> {
                // The branches in the order of the tag's values, as QEMU states them.
                Enum tag = (Enum) struct.members().stream().filter(m -> m.name().equals(struct.discriminator()))
                        .findFirst().orElseThrow().type();
                Map<String, String> variants = new LinkedHashMap<>();
                tag.values().forEach(value -> variants.put(value, describe(schema, struct.branches().get(value))));
                yield schema.union(members(schema, struct.members()), struct.discriminator(), variants);
            }
        };
    }

    private static List<SchemaBuilder.Member> members(SchemaBuilder schema, List<Member> members) {
        List<SchemaBuilder.Member> out = new ArrayList<>();
        for (Member m : members) {
            out.add(new SchemaBuilder.Member(m.name(), describe(schema, m.type()), !m.required()));
        }
        return out;
    }

    /** A top-level flat union whose branches without a schema take any member. */
    private static Map<String, Object> union(ObjectNode arguments, List<Member> base, String discriminator,
            Map<String, Struct> branches) throws NetException {
        Map<String, Object> out = new LinkedHashMap<>();
        Set<String> visited = new HashSet<>();
        for (Member m : base) {
            member("", arguments, m, out, visited);
        }
        Struct branch = branches.get((String) out.get(discriminator));
        if (branch == null) {
            for (Map.Entry<String, JsonNode> e : arguments.properties()) {
                if (visited.add(e.getKey())) {
                    out.put(e.getKey(), QmpJson.toJava(e.getValue()));
                }
            }
            return out;
        }
        for (Member m : branch.members()) {
            member("", arguments, m, out, visited);
        }
        rejectUnvisited("", arguments, visited);
        return out;
    }

    private static Map<String, Object> struct(String prefix, ObjectNode object, Struct type) throws NetException {
        Map<String, Object> out = new LinkedHashMap<>();
        Set<String> visited = new HashSet<>();
        for (Member m : type.members()) {
            member(prefix, object, m, out, visited);
        }
        if (type.discriminator() != null) {
            Struct branch = type.branches().get((String) out.get(type.discriminator()));
            for (Member m : branch.members()) {
                member(prefix, object, m, out, visited);
            }
        }
        rejectUnvisited(prefix, object, visited);
        return out;
    }

    private static void member(String prefix, ObjectNode object, Member m, Map<String, Object> out, Set<String> visited)
            throws NetException {
        visited.add(m.name());
        JsonNode value = object.get(m.name());
        if (value == null) {
            if (m.required()) {
                throw NetException.generic("Parameter '%s%s' is missing", prefix, m.name());
            }
            return;
        }
        out.put(m.name(), value(prefix, m.name(), value, m.type()));
    }

    private static void rejectUnvisited(String prefix, ObjectNode object, Set<String> visited) throws NetException {
        for (Map.Entry<String, JsonNode> e : QmpJsonWriter.qdictOrder(object.properties())) {
            if (!visited.contains(e.getKey())) {
                throw QmpArguments.unexpected(prefix + e.getKey());
            }
        }
    }

    /** One value: checked, then in the command line's form. Range and enum errors name the member alone, as QEMU's do. */
    private static Object value(String prefix, String name, JsonNode value, Type type) throws NetException {
        String full = prefix + name;
        return switch (type) {
            case Scalar.STR -> {
                if (!value.isTextual()) {
                    throw typeError(full, "string");
                }
                yield value.textValue();
            }
            case Scalar.BOOL -> {
                if (!value.isBoolean()) {
                    throw typeError(full, "boolean");
                }
                yield value.booleanValue() ? "on" : "off";
            }
            case Scalar.INT, Scalar.INT32 -> {
                if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                    throw typeError(full, "integer");
                }
                long n = value.longValue();
                if (type == Scalar.INT32 && n != (int) n) {
                    throw NetException.generic("Parameter '%s' expects int32_t", name);
                }
                yield Long.toString(n);
            }
            case Scalar.UINT16, Scalar.UINT32, Scalar.UINT64, Scalar.SIZE -> {
                // QEMU takes a negative integer as its two's complement, for compatibility.
                if (!value.isIntegralNumber() || value.bigIntegerValue().compareTo(UINT64_LIMIT) >= 0) {
                    throw NetException.generic("Parameter '%s' expects uint64", full);
                }
                long n = value.longValue();
                long limit = type == Scalar.UINT16 ? 0xFFFF : type == Scalar.UINT32 ? 0xFFFF_FFFFL : -1;
                if (Long.compareUnsigned(n, limit) > 0) {
                    throw NetException.generic("Parameter '%s' expects %s", name,
                            type == Scalar.UINT16 ? "uint16_t" : "uint32_t");
                }
                yield Long.toUnsignedString(n);
            }
            case Enum e -> {
                if (!value.isTextual()) {
                    throw typeError(full, "string");
                }
                if (!e.values().contains(value.textValue())) {
                    throw NetException.generic("Parameter '%s' does not accept value '%s'", name, value.textValue());
                }
                yield value.textValue();
            }
            case ListOf list -> {
                if (!value.isArray()) {
                    throw typeError(full, "array");
                }
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < value.size(); i++) {
                    out.add(value(prefix, name + "[" + i + "]", value.get(i), list.element()));
                }
                yield out;
            }
            case Struct struct -> {
                if (!(value instanceof ObjectNode object)) {
                    throw typeError(full, "object");
                }
                yield struct(full + ".", object, struct);
            }
        };
    }

    private static NetException typeError(String name, String expected) {
        return NetException.generic("Invalid parameter type for '%s', expected: %s", name, expected);
    }
}
