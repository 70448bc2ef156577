package net.filter;

import net.api.FilterType;
import net.api.NetException;
import net.api.NetFilter;
import net.api.NetFilterContext;
import net.api.NetFilterDriver;
import net.chardev.Chardevs;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code -object filter-mirror,id=ID,netdev=DEV,outdev=CHARDEV[,queue=...][,vnet_hdr_support=on]}:
 * a copy of every frame to a chardev, the frame itself goes on.
 */
@Component(service = NetFilterDriver.class)
@FilterType(MirrorFilterDriver.TYPE)
public final class MirrorFilterDriver implements NetFilterDriver<MirrorOptions> {

    /** The QOM type. */
    public static final String TYPE = "filter-mirror";

    private final Chardevs chardevs;

    /** @param chardevs where the outdev is found */
    @Activate
    public MirrorFilterDriver(@Reference Chardevs chardevs) {
        this.chardevs = chardevs;
    }

    @Override
    public Class<MirrorOptions> optionsType() {
        return MirrorOptions.class;
    }

    @Override
    public NetFilter open(MirrorOptions options, NetFilterContext context) throws NetException {
        if (options.outdev() == null) {
            throw NetException.generic("Parameter 'outdev' is missing");
        }
        boolean vnet = Boolean.TRUE.equals(options.vnetHdrSupport());
        FrameWriter writer = new FrameWriter(context, vnet, "filter mirror");
        writer.port(chardevs.attach(options.outdev(), context.loop(), writer));
        return new MirrorFilter(writer, options.outdev(), vnet);
    }
}
