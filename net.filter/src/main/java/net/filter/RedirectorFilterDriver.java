package net.filter;

import net.api.ErrorClass;
import net.api.FilterType;
import net.api.NetException;
import net.api.NetFilter;
import net.api.NetFilterContext;
import net.api.NetFilterDriver;
import net.chardev.ChardevPort;
import net.chardev.Chardevs;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code -object filter-redirector,id=ID,netdev=DEV[,indev=CHARDEV][,outdev=CHARDEV][,queue=...][,vnet_hdr_support=on]}:
 * frames the filter sees go to {@code outdev} instead of on; frames read from {@code indev} go on
 * from the filter's place.
 */
@Component(service = NetFilterDriver.class)
@FilterType(RedirectorFilterDriver.TYPE)
public final class RedirectorFilterDriver implements NetFilterDriver<RedirectorOptions> {

    /** The QOM type. */
    public static final String TYPE = "filter-redirector";

    private final Chardevs chardevs;

    /** @param chardevs where indev and outdev are found */
    @Activate
    public RedirectorFilterDriver(@Reference Chardevs chardevs) {
        this.chardevs = chardevs;
    }

    @Override
    public Class<RedirectorOptions> optionsType() {
        return RedirectorOptions.class;
    }

    @Override
    public NetFilter open(RedirectorOptions options, NetFilterContext context) throws NetException {
        String indev = options.indev();
        String outdev = options.outdev();
        if (indev == null && outdev == null) {
            throw NetException.generic("filter redirector needs 'indev' or 'outdev' at least one property set");
        }
        if (indev != null && indev.equals(outdev)) {
            throw NetException.generic("'indev' and 'outdev' could not be same for filter redirector");
        }
        boolean vnet = Boolean.TRUE.equals(options.vnetHdrSupport());
        FrameReader reader = null;
        if (indev != null) {
            reader = new FrameReader(context, vnet);
            reader.port(attach(indev, "IN ", context, reader));
        }
        FrameWriter writer = null;
        if (outdev != null) {
            writer = new FrameWriter(context, vnet, "filter redirector");
            try {
                writer.port(attach(outdev, "OUT ", context, writer));
            } catch (NetException e) {
                if (reader != null) {
                    reader.close();
                }
                throw e;
            }
        }
        return new RedirectorFilter(reader, writer, indev, outdev, vnet);
    }

    /** QEMU names which chardev it could not find. */
    private ChardevPort attach(String id, String which, NetFilterContext context, net.chardev.ChardevHandler handler)
            throws NetException {
        try {
            return chardevs.attach(id, context.loop(), handler);
        } catch (NetException e) {
            if (e.errorClass() == ErrorClass.DeviceNotFound) {
                throw new NetException(ErrorClass.DeviceNotFound, which + e.getMessage());
            }
            throw e;
        }
    }
}
