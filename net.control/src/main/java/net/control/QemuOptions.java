package net.control;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.api.NetException;

/**
 * QEMU's {@code key=value,...} option syntax, converted to the same tree a QMP client sends.
 *
 * <ul>
 * <li>{@code ,,} is a literal comma inside a value;</li>
 * <li>a first element without {@code =} is the value of the implied key ({@code socket,id=s0} is
 * {@code type=socket,id=s0});</li>
 * <li>any other element without {@code =} means {@code on} ({@code udp} is {@code udp=on});</li>
 * <li>dotted keys build nested objects ({@code addr.type=inet}), and objects keyed {@code 0},
 * {@code 1}, ... become lists (QEMU's keyval convention);</li>
 * <li>a repeated key keeps its last value, as QEMU's option lookup does.</li>
 * </ul>
 * Values stay strings; the runtime converts them to the option record's types.
 */
public final class QemuOptions {

    private QemuOptions() {
    }

    /**
     * Parses an option string.
     *
     * @param text       e.g. {@code socket,id=s0,listen=:11122}
     * @param impliedKey the key of a first element without {@code =} (e.g. {@code type}), or null
     * @return the tree, keys in the order given
     * @throws NetException GenericError on a malformed string
     */
    public static Map<String, Object> parse(String text, String impliedKey) throws NetException {
        Map<String, Object> flat = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        boolean first = true;
        while (i < n) {
            int keyEnd = i;
            while (keyEnd < n && text.charAt(keyEnd) != '=' && text.charAt(keyEnd) != ',') {
                keyEnd++;
            }
            String key = text.substring(i, keyEnd);
            if (keyEnd == n || text.charAt(keyEnd) == ',') {
                // An element without '=': the implied key's value, or a bare flag meaning "on".
                if (first && impliedKey != null) {
                    StringBuilder value = new StringBuilder();
                    i = readValue(text, i, value);
                    put(flat, impliedKey, value.toString());
                } else {
                    checkKey(key);
                    put(flat, key, "on");
                    i = keyEnd + 1;
                }
            } else {
                checkKey(key);
                StringBuilder value = new StringBuilder();
                i = readValue(text, keyEnd + 1, value);
                put(flat, key, value.toString());
            }
            first = false;
        }
        return nest(flat);
    }

    /** A key given again keeps every value, in order, as QemuOpts keeps them ({@link Repeated}). */
    private static void put(Map<String, Object> flat, String key, String value) {
        Object before = flat.get(key);
        if (before == null) {
            flat.put(key, value);
        } else if (before instanceof Repeated values) {
            values.add(value);
        } else {
            Repeated values = new Repeated();
            values.add((String) before);
            values.add(value);
            flat.put(key, values);
        }
    }

    /**
     * The values of a key given more than once ({@code hostfwd=A,hostfwd=B}), in order. As in
     * QEMU's QemuOpts, an option of list type takes them all and any other option the last: the
     * runtime's binder does the former, and {@link #toString()} is the last value, so a reader
     * that wants one value ({@code String.valueOf}) gets what QEMU would.
     *
     * @since 2.1
     */
    public static final class Repeated extends ArrayList<String> {

        private static final long serialVersionUID = 1L;

        /** @return the value given last */
        public String last() {
            return getLast();
        }

        @Override
        public String toString() {
            return last();
        }
    }

    /**
     * Builds a tree from flat, possibly dotted keys, e.g. the properties of a configuration file.
     *
     * @param flat keys and values
     * @return the tree
     * @throws NetException GenericError when a key is used both as a value and as an object
     */
    public static Map<String, Object> nest(Map<String, ?> flat) throws NetException {
        Map<String, Object> root = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : flat.entrySet()) {
            String[] path = e.getKey().split("\\.", -1);
            Map<String, Object> node = root;
            StringBuilder prefix = new StringBuilder();
            for (int p = 0; p < path.length - 1; p++) {
                prefix.append(p == 0 ? "" : ".").append(path[p]);
                Object child = node.computeIfAbsent(path[p], k -> new LinkedHashMap<String, Object>());
                if (!(child instanceof Map)) {
                    throw NetException.generic("Parameter '%s' used inconsistently", prefix);
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> next = (Map<String, Object>) child;
                node = next;
            }
            String leaf = path[path.length - 1];
            if (node.get(leaf) instanceof Map) {
                throw NetException.generic("Parameter '%s' used inconsistently", e.getKey());
            }
            node.put(leaf, e.getValue());
        }
        return listify(root);
    }

    /**
     * Formats a tree back into option syntax ({@code key=value,...}, dotted keys, commas doubled).
     *
     * @param tree a tree as {@link #parse} returns or a QMP client sends
     * @return the option string, empty for an empty tree
     */
    public static String format(Map<String, ?> tree) {
        StringBuilder out = new StringBuilder();
        flatten("", tree, out);
        return out.toString();
    }

    private static void flatten(String prefix, Object node, StringBuilder out) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                flatten(prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node instanceof Repeated values) {
            values.forEach(value -> flatten(prefix, value, out));
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "." + i, list.get(i), out);
            }
        } else {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(prefix).append('=').append(String.valueOf(node).replace(",", ",,"));
        }
    }

    private static int readValue(String text, int from, StringBuilder value) {
        int i = from;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == ',') {
                if (i + 1 < n && text.charAt(i + 1) == ',') {
                    value.append(',');
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            value.append(c);
            i++;
        }
        return i;
    }

    private static void checkKey(String key) throws NetException {
        if (key.isEmpty() || key.startsWith(".") || key.endsWith(".") || key.contains("..")) {
            throw NetException.generic("Invalid parameter '%s'", key);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> listify(Map<String, Object> map) {
        for (Map.Entry<String, Object> e : map.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> child) {
                Map<String, Object> m = listify((Map<String, Object>) child);
                e.setValue(isIndexed(m) ? new ArrayList<>(m.values()) : m);
            }
        }
        return map;
    }

    private static boolean isIndexed(Map<String, Object> map) {
        if (map.isEmpty()) {
            return false;
        }
        for (int i = 0; i < map.size(); i++) {
            if (!map.containsKey(Integer.toString(i))) {
                return false;
            }
        }
        return true;
    }
}
