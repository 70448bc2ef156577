package launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/**
 * {@code -http HOST:PORT[,remote=on]}: where the HTTP front end (net.http on Felix HTTP) listens.
 * Loopback only unless {@code remote=on}, as for QMP: the page can cut links and capture frames,
 * and nothing on it asks who you are.
 *
 * @param host the address to listen on
 * @param port the port; 0 picks a free one
 * @param text the option's value, for errors
 */
record HttpEndpoint(InetAddress host, int port, String text) {

    /**
     * @param value the option's value
     * @return the endpoint
     * @throws UsageException in the launcher's style when it is malformed
     */
    static HttpEndpoint parse(String value) throws UsageException {
        String[] parts = value.split(",");
        boolean remote = false;
        for (int i = 1; i < parts.length; i++) {
            switch (parts[i]) {
                case "remote=on" -> remote = true;
                case "remote=off" -> remote = false;
                default -> throw new UsageException("-http " + value + ": invalid option '" + parts[i]
                        + "' (expects HOST:PORT[,remote=on])");
            }
        }
        String address = parts[0];
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new UsageException("-http " + value + ": expects HOST:PORT, e.g. 127.0.0.1:8080");
        }
        String hostName = address.substring(0, colon);
        if (hostName.startsWith("[") && hostName.endsWith("]")) {
            hostName = hostName.substring(1, hostName.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new UsageException("-http " + value + ": port must be a number from 0 to 65535");
        }
        InetAddress host;
        try {
            host = InetAddress.getByName(hostName);
        } catch (UnknownHostException e) {
            throw new UsageException("-http " + value + ": address resolution failed for " + hostName);
        }
        if (!remote && !host.isLoopbackAddress()) {
            throw new UsageException("-http " + value + ": " + host.getHostAddress()
                    + " is not a loopback address, needs remote=on (the page is unauthenticated)");
        }
        return new HttpEndpoint(host, port, value);
    }

    /**
     * Binds the address once and lets it go, so that a port in use is this option's error, in the
     * system's words, before anything starts; the HTTP runtime binds it again at once.
     *
     * @throws UsageException when it cannot be bound
     */
    void checkFree() throws UsageException {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UsageException("-http " + text + ": " + e.getMessage());
        }
    }

    /**
     * @param props the framework properties Felix HTTP reads when no configuration overrides them
     */
    void configure(Map<String, String> props) {
        props.put(ENABLE, "true");
        props.put("org.apache.felix.http.host", host.getHostAddress());
        props.put("org.osgi.service.http.port", String.valueOf(port));
    }

    /** Felix HTTP's switch; off unless -http or a configuration turns it on. */
    static final String ENABLE = "org.apache.felix.http.enable";

    /** The Servlet Whiteboard's runtime service once it listens: it names its address. */
    private static final String RUNTIME = "(&(objectClass=org.osgi.service.servlet.runtime.HttpServiceRuntime)"
            + "(osgi.http.endpoint=*))";

    /**
     * Waits for the HTTP runtime to listen.
     *
     * @param context a bundle context of the framework
     * @param timeout how long to wait
     * @return the URL it serves, e.g. {@code http://127.0.0.1:8080/} (the port it got for port 0)
     * @throws UsageException when it does not listen within the timeout
     * @throws InterruptedException when interrupted meanwhile
     */
    String awaitUrl(BundleContext context, Duration timeout) throws UsageException, InterruptedException {
        ServiceTracker<Object, Object> tracker;
        try {
            tracker = new ServiceTracker<>(context, context.createFilter(RUNTIME), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        tracker.open(true);
        try {
            if (tracker.waitForService(timeout.toMillis()) == null) {
                throw new UsageException("-http " + text + ": the HTTP server did not start within "
                        + timeout.toSeconds() + " s (see the log)");
            }
            Object endpoint = tracker.getServiceReference().getProperty("osgi.http.endpoint");
            String url = endpoint instanceof String[] all ? all[0] : String.valueOf(endpoint);
            return url.endsWith("/") ? url : url + "/";
        } finally {
            tracker.close();
        }
    }
}
