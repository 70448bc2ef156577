package net.http;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Writer;
import net.control.NetControl;
import net.control.dto.NetworkDTO;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code /metrics}: the runtime's counters in Prometheus' text exposition format, read once per
 * scrape from the control service.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/metrics")
public final class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Prometheus' text format, version 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final transient NetControl control;

    @Activate
    public MetricsServlet(@Reference NetControl control) {
        this.control = control;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        NetworkDTO network = control.network();
        response.setContentType(CONTENT_TYPE);
        try (Writer out = response.getWriter()) {
            out.write(PrometheusText.of(network));
        }
    }
}
