package net.qmp.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetFilter;
import net.api.NetFilterContext;
import net.api.NetFilterDirection;
import net.api.NetFilterDriver;
import net.api.NicModel;
import net.api.RxFilterReporter;
import net.api.RxFilterInfo;

/** Drivers for the QMP tests: a netdev type {@code x}, a filter {@code filter-x}, a NIC {@code nic-x}. */
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
            return new NetClient() {
                @Override
                public Delivery receive(ByteBuffer frame) {
                    return Delivery.DELIVERED;
                }

                @Override
                public String info() {
                    return "x: txsession=" + options.txsession();
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /** A filter that passes everything. */
    static final class XFilter implements NetFilterDriver<XFilter.Options> {
        record Options(Integer maxlen) {
        }

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public NetFilter open(Options options, NetFilterContext context) {
            return new NetFilter() {
                @Override
                public boolean filter(ByteBuffer frame, NetFilterDirection direction) {
                    return true;
                }

                @Override
                public String info() {
                    return "maxlen=" + options.maxlen();
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /** A filter with filter-dump's options ({@code file} required) that passes everything and writes nothing. */
    static final class FileFilter implements NetFilterDriver<FileFilter.Options> {
        record Options(@JsonProperty(required = true) String file, Long maxlen) {
        }

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public NetFilter open(Options options, NetFilterContext context) {
            return new NetFilter() {
                @Override
                public boolean filter(ByteBuffer frame, NetFilterDirection direction) {
                    return true;
                }

                @Override
                public String info() {
                    return "file=" + options.file();
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /** A NIC that reports its receive filter; the test triggers its rx-filter event through the context. */
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
            return new Nic(context);
        }

        record Nic(NetClientContext context) implements NetClient, RxFilterReporter {
            @Override
            public Delivery receive(ByteBuffer frame) {
                return Delivery.DELIVERED;
            }

            @Override
            public String info() {
                return "model=nic-x,macaddr=52:54:00:12:34:56";
            }

            @Override
            public void close() {
            }

            @Override
            public RxFilterInfo rxFilter() {
                return new RxFilterInfo(context.id(), true, "normal", "normal", "all", false, false, false,
                        "52:54:00:12:34:56", List.of(), List.of(), List.of());
            }
        }
    }
}
