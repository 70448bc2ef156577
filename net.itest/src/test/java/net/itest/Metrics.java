package net.itest;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * {@code /metrics} as Prometheus reads it: fetched over HTTP from the Servlet Whiteboard the
 * framework runs, and parsed (text format 0.0.4) into samples.
 *
 * @param text    the exposition as served
 * @param samples its samples, in order
 */
record Metrics(String text, List<Metrics.Sample> samples) {

    /**
     * @param name   the metric name
     * @param labels its labels
     * @param value  its value
     */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** The Servlet Whiteboard's runtime once it listens; it names its URL. */
    private static final String RUNTIME = "(&(objectClass=org.osgi.service.servlet.runtime.HttpServiceRuntime)"
            + "(osgi.http.endpoint=*))";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Await.TIMEOUT).build();

    /**
     * @param context a bundle context of the framework
     * @return the URL the HTTP runtime serves now, e.g. {@code http://127.0.0.1:40123/}
     */
    static URI awaitEndpoint(BundleContext context) {
        return Await.value("the HTTP runtime to listen", () -> {
            try {
                ServiceReference<?>[] refs = context.getServiceReferences((String) null, RUNTIME);
                if (refs == null) {
                    return null;
                }
                Object endpoint = refs[0].getProperty("osgi.http.endpoint");
                String url = endpoint instanceof String[] all ? all[0] : String.valueOf(endpoint);
                return URI.create(url.endsWith("/") ? url : url + "/");
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * @param base the HTTP runtime's URL
     * @return the HTTP status of {@code GET /metrics}, or -1 when nothing listens
     */
    static int status(URI base) throws IOException, InterruptedException {
        try {
            return HTTP.send(request(base), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (ConnectException e) {
            return -1;
        }
    }

    /**
     * @param base the HTTP runtime's URL
     * @return {@code /metrics}, checked for status 200 and the text format's content type
     */
    static Metrics scrape(URI base) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request(base), HttpResponse.BodyHandlers.ofString());
        assertEquals("status of GET /metrics: " + response.body(), 200, response.statusCode());
        String type = response.headers().firstValue("Content-Type").orElse("").replace(" ", "").toLowerCase();
        assertEquals("Content-Type", "text/plain;version=0.0.4;charset=utf-8", type);
        return parse(response.body());
    }

    private static HttpRequest request(URI base) {
        return HttpRequest.newBuilder(base.resolve("metrics")).timeout(Await.TIMEOUT).build();
    }

    /**
     * @param text an exposition
     * @return its samples; fails on a line that is not one
     */
    static Metrics parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            samples.add(sample(line));
        }
        return new Metrics(text, samples);
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf("=\"", i);
                String label = line.substring(i, eq);
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (char c = line.charAt(j); c != '"'; c = line.charAt(++j)) {
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(label, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        if (line.charAt(i) != ' ') {
            throw new AssertionError("not a sample line: " + line);
        }
        return new Sample(name, labels, Double.parseDouble(line.substring(i + 1)));
    }

    /**
     * @param name a metric name
     * @return its samples
     */
    List<Sample> of(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /**
     * @param name   a metric name
     * @param labels its labels, all of them
     * @return the sample's value; fails when there is not exactly one
     */
    double value(String name, Map<String, String> labels) {
        List<Sample> found = of(name).stream().filter(s -> s.labels().equals(labels)).toList();
        assertEquals(name + labels + " in\n" + text, 1, found.size());
        return found.getFirst().value();
    }

    /**
     * @param label a label name
     * @param value its value
     * @return whether any sample has it
     */
    boolean anyLabelled(String label, String value) {
        return samples.stream().anyMatch(s -> value.equals(s.labels().get(label)));
    }
}
