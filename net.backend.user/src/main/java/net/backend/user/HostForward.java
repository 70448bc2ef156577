package net.backend.user;

import net.api.NetException;

/**
 * A {@code hostfwd} rule, {@code [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport}, read as
 * QEMU 7.2 reads it: an empty address is any (host) or the first DHCP address (guest, libslirp's
 * choice), ports in C's bases.
 *
 * @param udp       UDP rather than TCP
 * @param hostAddr  the host address to listen on (host order, 0 for any)
 * @param hostPort  the host port (0: any free one)
 * @param guestAddr the guest address (host order, 0 for libslirp's default)
 * @param guestPort the guest port
 */
record HostForward(boolean udp, int hostAddr, int hostPort, int guestAddr, int guestPort) {

    /** Thrown with QEMU's reason for a rule that does not parse. */
    static final class Syntax extends Exception {
        private static final long serialVersionUID = 1L;

        Syntax(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * @param rule the rule
     * @return the rule, parsed
     * @throws NetException {@code Invalid host forwarding rule 'RULE' (REASON)}
     */
    static HostForward parse(String rule) throws NetException {
        try {
            return read(rule);
        } catch (Syntax e) {
            throw NetException.generic("Invalid host forwarding rule '%s' (%s)", rule, e.getMessage());
        }
    }

    /**
     * @param rule the rule
     * @return the rule, parsed
     * @throws Syntax QEMU's reason
     */
    static HostForward read(String rule) throws Syntax {
        Cursor p = new Cursor(rule);
        String protocol = p.until(':', "No : separators");
        boolean udp = protocol(protocol, "Bad protocol name");
        String hostAddr = p.until(':', "Missing : separator");
        int host = address(hostAddr, "Bad host address");
        String hostPort = p.until('-', "Bad host port separator");
        int hport = port(hostPort, 0, "Bad host port");
        String guestAddr = p.until(':', "Missing guest address");
        int guest = address(guestAddr, "Bad guest address");
        int gport = port(p.rest(), 1, "Bad guest port");
        return new HostForward(udp, host, hport, guest, gport);
    }

    /**
     * The key {@code hostfwd_remove} takes, {@code [tcp|udp]:[hostaddr]:hostport}.
     *
     * @param rule the text
     * @return a rule with the host side set
     * @throws Syntax on anything QEMU calls an invalid format
     */
    static HostForward readHostSide(String rule) throws Syntax {
        Cursor p = new Cursor(rule);
        boolean udp = protocol(p.until(':', ""), "");
        int host = address(p.until(':', ""), "");
        String port = p.rest();
        if (!port.matches("[+-]?[0-9]+")) {
            throw new Syntax("");
        }
        long value = Long.parseLong(port);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new Syntax("");
        }
        return new HostForward(udp, host, (int) value & 0xffff, 0, 0);
    }

    private static boolean protocol(String name, String reason) throws Syntax {
        if (name.equals("tcp") || name.isEmpty()) {
            return false;
        } else if (name.equals("udp")) {
            return true;
        }
        throw new Syntax(reason);
    }

    private static int address(String text, String reason) throws Syntax {
        if (text.isEmpty()) {
            return 0;
        }
        Integer a = Inet.aton(text);
        if (a == null) {
            throw new Syntax(reason);
        }
        return a;
    }

    /** qemu_strtoi in base 0, then a range check. */
    private static int port(String text, int min, String reason) throws Syntax {
        Long value = cInteger(text);
        if (value == null || value < min || value > 65535) {
            throw new Syntax(reason);
        }
        return value.intValue();
    }

    private static Long cInteger(String text) {
        String t = text.strip();
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) {
            t = t.substring(1);
        }
        int radix = 10;
        if (t.startsWith("0x") || t.startsWith("0X")) {
            radix = 16;
            t = t.substring(2);
        } else if (t.length() > 1 && t.startsWith("0")) {
            radix = 8;
        }
        if (t.isEmpty() || t.length() > 10) {
            return null;
        }
        try {
            long v = Long.parseLong(t, radix);
            return negative ? -v : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** QEMU's get_str_sep over a rule. */
    private static final class Cursor {
        private final String text;
        private int at;

        Cursor(String text) {
            this.text = text;
        }

        String until(char separator, String reason) throws Syntax {
            int end = text.indexOf(separator, at);
            if (end < 0) {
                throw new Syntax(reason);
            }
            String part = text.substring(at, end);
            at = end + 1;
            return part;
        }

        String rest() {
            return text.substring(at);
        }
    }
}
