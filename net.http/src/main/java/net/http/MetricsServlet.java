package net.http;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Writer;
import net.control.NetControl;
import net.control.dto.NetworkDTO;
import net.control.dto.StatisticsDTO;
import net.control.qmp.QmpService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code /metrics}: the runtime's counters in Prometheus' text exposition format, read once per
 * scrape from the control service ({@link NetControl#network()} for the netdevs, so they equal
 * {@code x-query-netdevs}', and {@link NetControl#statistics()} for hubs and event loops), and the
 * QMP clients when the QMP server is there.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/metrics")
public final class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Prometheus' text format, version 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final transient NetControl control;

    /** The QMP server, optional: without it there is no QMP clients gauge. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile transient QmpService qmp;

    @Activate
    public MetricsServlet(@Reference NetControl control) {
        this.control = control;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        NetworkDTO network = control.network();
        StatisticsDTO statistics = control.statistics();
        QmpService server = qmp;
        String text = PrometheusText.of(network, statistics, server == null ? -1 : server.clients().size());
        response.setContentType(CONTENT_TYPE);
        try (Writer out = response.getWriter()) {
            out.write(text);
        }
    }
}
