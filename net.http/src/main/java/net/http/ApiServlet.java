package net.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import net.api.NetException;
import net.control.NetControl;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The topology page's calls. Actions are POSTs with a JSON body: {@code /api/link}
 * {@code {"name": N, "up": B}} ({@code set_link}), {@code /api/capture/start} and
 * {@code /api/capture/stop} {@code {"netdev": N}}; they answer {@code {}} or, with status 400,
 * QMP's error object {@code {"error": {"class": C, "desc": D}}} in QEMU's words. Reads are GETs:
 * {@code /api/client?name=N} (one client with its counters, for the open side panel) and
 * {@code /api/capture/file?netdev=N} (a stopped capture, as a pcap download).
 * <p>
 * A POST must carry {@code Content-Type: application/json}, which no other site's page can send
 * without asking first (CORS preflight, which is never granted), and a foreign {@code Origin} is
 * refused: the page can cut links, and nothing on it asks who you are.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/*")
public final class ApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** QEMU's ids (letter, then letters, digits, {@code -._}); NICs' generated names have a dot too. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,127}");
    private static final String JSON = "application/json";
    private static final String PCAP = "application/vnd.tcpdump.pcap";

    private final transient NetControl control;
    private final transient PageCaptures captures;

    @Activate
    public ApiServlet(@Reference NetControl control, @Reference PageCaptures captures) {
        this.control = control;
        this.captures = captures;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String action = String.valueOf(request.getPathInfo());
        if (!action.equals("/link") && !action.equals("/capture/start") && !action.equals("/capture/stop")) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        String type = request.getContentType();
        if (type == null || !type.toLowerCase().startsWith(JSON)) {
            response.sendError(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, "expects " + JSON);
            return;
        }
        String origin = request.getHeader("Origin");
        if (origin != null && !origin.equals(request.getScheme() + "://" + request.getHeader("Host"))) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN, "cross-origin request");
            return;
        }
        Map<?, ?> body;
        try {
            body = HttpJson.DTO.readValue(request.getInputStream(), Map.class);
        } catch (JsonProcessingException e) {
            error(response, NetException.generic("JSON parse error, expects an object"));
            return;
        }
        try {
            switch (action) {
                case "/link" -> control.setLink(name(body, "name"), flag(body, "up"));
                case "/capture/start" -> captures.start(name(body, "netdev"));
                default -> captures.stop(name(body, "netdev"));
            }
        } catch (NetException e) {
            error(response, e);
            return;
        }
        json(response, Map.of());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            switch (String.valueOf(request.getPathInfo())) {
                case "/client" -> json(response, control.client(name(request.getParameter("name"), "name")));
                case "/capture/file" -> download(response, name(request.getParameter("netdev"), "netdev"));
                default -> response.sendError(request.getPathInfo() != null && isAction(request.getPathInfo())
                        ? HttpServletResponse.SC_METHOD_NOT_ALLOWED : HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (NetException e) {
            error(response, e);
        }
    }

    private static boolean isAction(String path) {
        return path.equals("/link") || path.startsWith("/capture/st");
    }

    private void download(HttpServletResponse response, String netdev) throws IOException, NetException {
        Path file = captures.file(netdev);
        if (file == null || !Files.exists(file)) {
            throw NetException.generic("No stopped capture of netdev '%s'", netdev);
        }
        response.setContentType(PCAP);
        response.setHeader("Content-Disposition", "attachment; filename=\"" + netdev + ".pcap\"");
        response.setContentLengthLong(Files.size(file));
        try (OutputStream out = response.getOutputStream()) {
            Files.copy(file, out);
        }
    }

    private static String name(Map<?, ?> body, String member) throws NetException {
        return name(member(body, member, String.class, "string"), member);
    }

    private static String name(String value, String member) throws NetException {
        if (value == null) {
            throw NetException.generic("Parameter '%s' is missing", member);
        }
        if (!NAME.matcher(value).matches()) {
            throw NetException.generic("Parameter '%s' expects an identifier", member);
        }
        return value;
    }

    private static boolean flag(Map<?, ?> body, String member) throws NetException {
        return member(body, member, Boolean.class, "boolean");
    }

    /** A member of the JSON body, checked as QMP checks an argument: there, and of its type. */
    private static <T> T member(Map<?, ?> body, String member, Class<T> type, String qapiType) throws NetException {
        Object value = body.get(member);
        if (value == null) {
            throw NetException.generic("Parameter '%s' is missing", member);
        }
        if (!type.isInstance(value)) {
            throw NetException.generic("Invalid parameter type for '%s', expected: %s", member, qapiType);
        }
        return type.cast(value);
    }

    private static void error(HttpServletResponse response, NetException e) throws IOException {
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        Map<String, String> error = new LinkedHashMap<>();
        error.put("class", e.errorClass().name());
        error.put("desc", e.getMessage());
        json(response, Map.of("error", error));
    }

    private static void json(HttpServletResponse response, Object value) throws IOException {
        response.setContentType(JSON);
        response.setHeader("Cache-Control", "no-store");
        try (OutputStream out = response.getOutputStream()) {
            HttpJson.DTO.writeValue(out, value);
        }
    }
}
