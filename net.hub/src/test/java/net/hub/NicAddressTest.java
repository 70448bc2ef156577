package net.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NicModel;
import net.api.RxFilterInfo;
import net.api.RxFilterReporter;
import net.control.QemuOptions;
import net.control.Section;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A NIC given no address keeps the one it got among its options, as QEMU's {@code mac} property
 * holds it: when its model goes and another instance with a fresh table of defaults comes, the
 * NIC reopens with its own address, not the table's first free one.
 */
class NicAddressTest {

    private final NetRuntime runtime = new NetRuntime(1, name -> System.getLogger("test." + name));

    @AfterEach
    void stop() {
        runtime.close();
    }

    /** A model with a table of its own: defaults :56, :57, ... in the order NICs open. */
    static final class Model implements NicModel<Model.Options> {
        record Options(String mac) {
        }

        private final AtomicInteger next = new AtomicInteger(0x56);

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public NetClient open(Options options, NetClientContext context) {
            String mac = options.mac() != null ? options.mac()
                    : String.format("52:54:00:12:34:%02x", next.getAndIncrement());
            return new Nic(context.id(), mac);
        }

        record Nic(String name, String mac) implements NetClient, RxFilterReporter {
            @Override
            public Delivery receive(ByteBuffer frame) {
                return Delivery.DELIVERED;
            }

            @Override
            public String info() {
                return "model=m,macaddr=" + mac;
            }

            @Override
            public void close() {
            }

            @Override
            public RxFilterInfo rxFilter() {
                return new RxFilterInfo(name, false, "normal", "normal", "all", false, false, false, mac, List.of(),
                        List.of(), List.of());
            }
        }
    }

    private void add(Section section, String options) throws Exception {
        runtime.add(section, QemuOptions.parse(options, section.typeKey()));
    }

    @Test
    void aDefaultAddressOutlivesItsModel() throws Exception {
        Model first = new Model();
        runtime.bindNicModel(first, Map.of(NicModel.TYPE, "m"));
        add(Section.NETDEV, "hubport,id=h1,hubid=1");
        add(Section.NETDEV, "hubport,id=h2,hubid=1");
        add(Section.DEVICE, "m,id=n1,netdev=h1");
        add(Section.DEVICE, "m,id=n2,netdev=h2,mac=02:00:00:00:00:02");
        assertEquals(Map.of("mac", "52:54:00:12:34:56"), runtime.client("n1").options());
        assertEquals(Map.of("mac", "02:00:00:00:00:02"), runtime.client("n2").options());

        runtime.unbindNicModel(first, Map.of(NicModel.TYPE, "m"));
        assertEquals("pending", runtime.client("n1").state());
        Model second = new Model();
        second.next.set(0x60); // its table starts elsewhere: only the kept address gives :56
        runtime.bindNicModel(second, Map.of(NicModel.TYPE, "m"));
        assertEquals("active", runtime.client("n1").state());
        assertEquals("52:54:00:12:34:56", runtime.queryRxFilter("n1").get(0).mainMac());
        assertEquals("02:00:00:00:00:02", runtime.queryRxFilter("n2").get(0).mainMac());
    }

    /** A model whose options have no {@code mac} string gets nothing it could not bind. */
    @Test
    void aModelWithoutMacOptionKeepsItsOptions() throws Exception {
        runtime.bindNicModel(new NetRuntimeTest.ReportingNic(), Map.of(NicModel.TYPE, "reporting"));
        add(Section.NETDEV, "hubport,id=h1,hubid=1");
        add(Section.DEVICE, "reporting,id=n1,netdev=h1");
        assertEquals(Map.of(), runtime.client("n1").options());
    }
}
