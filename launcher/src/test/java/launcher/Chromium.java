package launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.testlib.Await;
import net.testlib.Installed;

/**
 * A headless Chromium driven over its DevTools protocol (JSON over the JDK's WebSocket): one page,
 * navigated, evaluated in, clicked at and photographed as a user's browser would be. Closing it
 * kills the browser's whole process tree and removes its profile.
 */
final class Chromium implements AutoCloseable {

    private static final Duration STARTED = Duration.ofSeconds(60);
    private static final Duration CALL = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();

    private Chromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /**
     * @param work a directory for the profile and the browser's stderr
     * @return the browser, showing about:blank in a 1400x900 viewport
     */
    static Chromium start(Path work) throws Exception {
        Path binary = Installed.require("chromium");
        Path profile = Files.createDirectories(work.resolve("chromium-profile"));
        Path log = work.resolve("chromium-stderr.txt");
        Process process = new ProcessBuilder(binary.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0", "--user-data-dir=" + profile, "--window-size=1400,900", "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile())
                .start();
        process.getOutputStream().close();
        try {
            String[] browser = new String[1];
            Await.until(() -> {
                assertTrue(process.isAlive(), () -> "chromium exited: " + read(log));
                Matcher m = LISTENING.matcher(Files.readString(log));
                if (m.find()) {
                    browser[0] = m.group(1);
                }
                return browser[0] != null;
            }, STARTED, "chromium's DevTools endpoint", () -> read(log));
            // The browser endpoint lists its targets over HTTP on the same port: talk to the page's.
            URI list = URI.create(browser[0].replaceFirst("^ws://([^/]+)/.*$", "http://$1/json/list"));
            HttpClient http = HttpClient.newHttpClient();
            String[] page = new String[1];
            Await.until(() -> {
                JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(list).timeout(CALL).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode t : targets) {
                    if (t.path("type").asText().equals("page")) {
                        page[0] = t.path("webSocketDebuggerUrl").asText();
                    }
                }
                return page[0] != null;
            }, STARTED, "chromium's page target");
            Chromium[] self = new Chromium[1];
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(CALL)
                    .buildAsync(URI.create(page[0]), new Listener(self)).get(CALL.toSeconds(), TimeUnit.SECONDS);
            self[0] = new Chromium(process, profile, socket);
            // The page's viewport, whatever the window's decorations take.
            self[0].call("Emulation.setDeviceMetricsOverride",
                    Map.of("width", 1400, "height", 900, "deviceScaleFactor", 1, "mobile", false));
            return self[0];
        } catch (Exception | Error e) {
            kill(process);
            throw e;
        }
    }

    /** Collects a message's fragments and completes the call it answers. */
    private static final class Listener implements WebSocket.Listener {
        private final Chromium[] owner;
        private final StringBuilder text = new StringBuilder();

        Listener(Chromium[] owner) {
            this.owner = owner;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(text.toString());
                    CompletableFuture<JsonNode> call = message.has("id") && owner[0] != null
                            ? owner[0].calls.remove(message.get("id").asInt()) : null;
                    if (call != null) {
                        call.complete(message);
                    }
                } catch (IOException e) {
                    // Not JSON: DevTools sends nothing else, so nothing waits for it.
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    /**
     * @param method a DevTools method, e.g. {@code Page.navigate}
     * @param params its parameters
     * @return its {@code result}; fails the test on a protocol error
     */
    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        calls.put(id, reply);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", id);
        message.put("method", method);
        message.put("params", params);
        socket.sendText(JSON.writeValueAsString(message), true).get(CALL.toSeconds(), TimeUnit.SECONDS);
        JsonNode answer = reply.get(CALL.toSeconds(), TimeUnit.SECONDS);
        if (answer.has("error")) {
            fail(method + ": " + answer.get("error"));
        }
        return answer.path("result");
    }

    void navigate(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
    }

    /**
     * @param expression JavaScript, run in the page; a promise is awaited
     * @return its value as JSON (null for undefined); fails the test when it throws
     */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate",
                Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            fail(expression + ": " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /**
     * Clicks the middle of the first element the selector finds, as a mouse does (pressed and
     * released at its place on the screen), after scrolling it into view; fails when something
     * else covers that point.
     *
     * @param selector a CSS selector
     */
    void click(String selector) throws Exception {
        String quoted = JSON.writeValueAsString(selector);
        JsonNode box = evaluate("(() => { const e = document.querySelector(" + quoted + "); if (!e) return null;"
                + " e.scrollIntoView({block: 'nearest', inline: 'nearest'}); const r = e.getBoundingClientRect();"
                + " const x = r.left + r.width / 2, y = r.top + r.height / 2; const hit = document.elementFromPoint(x, y);"
                + " return {x, y, hit: hit === e || e.contains(hit), at: hit ? hit.outerHTML.slice(0, 200) : null}; })()");
        if (box.isNull() || box.isMissingNode()) {
            fail("nothing to click: " + selector);
        }
        if (!box.get("hit").asBoolean()) {
            fail("the middle of " + selector + " shows " + box.get("at").asText());
        }
        double x = box.get("x").asDouble();
        double y = box.get("y").asDouble();
        call("Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", x, "y", y));
        for (String type : List.of("mousePressed", "mouseReleased")) {
            call("Input.dispatchMouseEvent", Map.of("type", type, "x", x, "y", y, "button", "left", "clickCount", 1));
        }
    }

    /** @param file where the page's PNG screenshot goes (its directory is made) */
    void screenshot(Path file) throws Exception {
        JsonNode shot = call("Page.captureScreenshot", Map.of("format", "png"));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
    }

    @Override
    public void close() throws IOException {
        socket.abort();
        kill(process);
        try (Stream<Path> files = Files.walk(profile)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Chromium runs a zygote, a GPU and renderer processes: all go, children first. */
    private static void kill(Process process) {
        List<ProcessHandle> tree = process.descendants().toList();
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        for (ProcessHandle h : tree) {
            h.onExit().completeOnTimeout(h, 15, TimeUnit.SECONDS).join();
        }
        try {
            process.waitFor(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
