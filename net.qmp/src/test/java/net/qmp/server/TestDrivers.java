package net.qmp.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NicModel;
import net.api.RxFilterReporter;
import net.api.RxFilterInfo;
import net.api.NetException;
import net.driverkit.InheritedDescriptors;
import net.posix.FdChannel;
import net.testlib.IdleClient;

/**
 * Drivers for the QMP tests: a netdev type {@code x}, a NIC {@code nic-x}, and the options of the
 * filters net.testlib's {@code PassFilterDriver} stands in for.
 */
final class TestDrivers {

    private TestDrivers() {
    }

    /** Like l2tpv3, {@code txsession} is required; opening emits {@code NETDEV_STREAM_CONNECTED}. */
    static final class XDriver implements NetClientDriver<XDriver.Options> {
        record Options(@JsonProperty(required = true) Long txsession, String tag) {
        }

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public NetClient open(Options options, NetClientContext context) {
            context.event("NETDEV_STREAM_CONNECTED", Map.of("netdev-id", context.id(), "addr", "x"));
            return new IdleClient("x: txsession=" + options.txsession());
        }
    }

    /** {@code fd=}, read as QEMU's drivers read it: a client's named descriptor or a number. */
    static final class FdDriver implements NetClientDriver<FdDriver.Options> {
        record Options(@JsonProperty(required = true) String fd) {
        }

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public NetClient open(Options options, NetClientContext context) throws NetException {
            FdChannel channel = InheritedDescriptors.take(context.id(), options.fd());
            return new IdleClient("fd=" + channel.fd()) {
                @Override
                public void close() {
                    channel.close();
                }
            };
        }
    }

    /** The options of {@code filter-x}, a filter that passes everything ({@code PassFilterDriver}). */
    record XFilterOptions(Integer maxlen) {
    }

    /** filter-dump's options ({@code file} required), for a pass-through filter standing in for it. */
    record DumpOptions(@JsonProperty(required = true) String file, Long maxlen) {
    }

    /**
     * A NIC that reports its receive filter, with its {@code mac} (default 52:54:00:12:34:56) as
     * its main MAC; the test triggers its rx-filter event through the context.
     */
    static final class XNic implements NicModel<XNic.Options> {
        record Options(String mac) {
        }

        final Map<String, NetClientContext> contexts = new ConcurrentHashMap<>();

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public NetClient open(Options options, NetClientContext context) {
            contexts.put(context.id(), context);
            return new Nic(context, options.mac() != null ? options.mac() : "52:54:00:12:34:56");
        }

        static final class Nic extends IdleClient implements RxFilterReporter {
            private final NetClientContext context;
            private final String mac;

            Nic(NetClientContext context, String mac) {
                super("model=nic-x,macaddr=" + mac);
                this.context = context;
                this.mac = mac;
            }

            @Override
            public RxFilterInfo rxFilter() {
                return new RxFilterInfo(context.id(), true, "normal", "normal", "all", false, false, false,
                        mac, List.of(), List.of(), List.of());
            }
        }
    }
}
