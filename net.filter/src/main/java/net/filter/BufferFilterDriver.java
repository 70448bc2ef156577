package net.filter;

import net.api.FilterType;
import net.api.NetException;
import net.api.NetFilter;
import net.api.NetFilterContext;
import net.api.NetFilterDriver;
import net.driverkit.QemuNumbers;
import org.osgi.service.component.annotations.Component;

/**
 * {@code -object filter-buffer,id=ID,netdev=DEV,interval=MICROSECONDS[,queue=...]}: holds every
 * frame it sees and releases them all, in order, every {@code interval} microseconds.
 */
@Component(service = NetFilterDriver.class)
@FilterType(BufferFilterDriver.TYPE)
public final class BufferFilterDriver implements NetFilterDriver<BufferOptions> {

    /** The QOM type. */
    public static final String TYPE = "filter-buffer";

    @Override
    public Class<BufferOptions> optionsType() {
        return BufferOptions.class;
    }

    @Override
    public NetFilter open(BufferOptions options, NetFilterContext context) throws NetException {
        Long interval = QemuNumbers.uint32("interval", options.interval());
        if (interval == null) { // the binder says so first; kept for an explicit JSON null
            throw NetException.generic("Parameter 'interval' is missing");
        }
        if (interval == 0) {
            throw NetException.generic("Property '%s.interval' requires a positive value", TYPE);
        }
        return new BufferFilter(context, interval);
    }
}
