package net.http;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The topology page's static files, from this bundle: {@code /} is the page, {@code /page/NAME}
 * its script, style sheet and icon. Nothing else is served from here (the whiteboard's default
 * servlet, so every unknown path ends here as a 404).
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/", "/page/*"})
public final class PageServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** The files, by request path, with their content types. */
    private static final Map<String, String> FILES = Map.of(
            "/index.html", "text/html; charset=utf-8",
            "/page/app.js", "text/javascript; charset=utf-8",
            "/page/style.css", "text/css; charset=utf-8",
            "/page/favicon.svg", "image/svg+xml");

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.equals("/")) {
            path = "/index.html";
        }
        String type = FILES.get(path);
        InputStream in = type == null ? null
                : PageServlet.class.getResourceAsStream("page/" + path.substring(path.lastIndexOf('/') + 1));
        if (in == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setContentType(type);
        // Served from the bundle: a new version of it must show at the next load.
        response.setHeader("Cache-Control", "no-cache");
        try (in; OutputStream out = response.getOutputStream()) {
            in.transferTo(out);
        }
    }
}
