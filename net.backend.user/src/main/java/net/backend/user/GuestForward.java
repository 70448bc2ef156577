package net.backend.user;

import net.api.NetException;

/**
 * A {@code guestfwd} rule, {@code [tcp]:[server]:port-TARGET}: a guest's TCP connection to
 * {@code server:port} (server default: libslirp picks one of the network's addresses) goes to
 * TARGET: {@code cmd:COMMAND} runs the command with the connection as its standard input and
 * output, {@code tcp:HOST:PORT} is a TCP endpoint connected when the netdev is made.
 *
 * @param server  the guest-visible address (host order; 0 for libslirp's choice)
 * @param port    the guest-visible port
 * @param target  what follows the {@code -}
 */
record GuestForward(int server, int port, String target) {

    /** The prefix of a command target. */
    static final String COMMAND = "cmd:";

    /**
     * @param rule the rule
     * @return the rule, parsed as QEMU parses it
     * @throws NetException {@code Invalid guest forwarding rule 'RULE'}
     */
    static GuestForward parse(String rule) throws NetException {
        String[] parts = new String[3];
        int at = 0;
        char[] separators = {':', ':', '-'};
        for (int i = 0; i < 3; i++) {
            int end = rule.indexOf(separators[i], at);
            if (end < 0) {
                throw invalid(rule);
            }
            parts[i] = rule.substring(at, end);
            at = end + 1;
        }
        if (!parts[0].equals("tcp") && !parts[0].isEmpty()) {
            throw invalid(rule);
        }
        int server = 0;
        if (!parts[1].isEmpty()) {
            Integer a = Inet.aton(parts[1]);
            if (a == null) {
                throw invalid(rule);
            }
            server = a;
        }
        // strtol in base 10: optional sign and digits, nothing after them
        if (!parts[2].matches("\\s*[+-]?[0-9]{1,9}")) {
            throw invalid(rule);
        }
        int port = Integer.parseInt(parts[2].strip());
        if (port < 1 || port > 65535) {
            throw invalid(rule);
        }
        return new GuestForward(server, port, rule.substring(at));
    }

    /**
     * The endpoint of a {@code tcp:HOST:PORT} target (a TCP client character device), numeric port.
     *
     * @param target what follows the rule's {@code -}
     * @return the endpoint, unresolved names resolved now; null for any other target
     */
    static java.net.InetSocketAddress tcpEndpoint(String target) {
        if (!target.startsWith("tcp:") || target.contains(",")) {
            return null;
        }
        int colon = target.lastIndexOf(':');
        String host = target.substring(4, colon);
        String port = target.substring(colon + 1);
        if (colon < 4 || host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
            return null;
        }
        return new java.net.InetSocketAddress(host, Integer.parseInt(port));
    }

    private static NetException invalid(String rule) {
        return NetException.generic("Invalid guest forwarding rule '%s'", rule);
    }
}
