package net.qmp.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.api.NetClientDriver;
import net.api.NetFilterDriver;
import net.api.NicModel;
import net.control.qmp.QmpListener;
import net.hub.NetRuntime;
import net.testlib.PassFilterDriver;
import net.testlib.RecordingLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the QMP server's socket tests stand on: a real runtime with the test drivers (netdev
 * {@code x}, filter {@code filter-x}, NIC {@code nic-x}) behind a server listening on an ephemeral
 * TCP port, and the clients a test opens, closed after it.
 */
abstract class QmpServerFixture {

    NetRuntime runtime;
    QmpServer server;
    QmpListener tcp;
    final TestDrivers.XDriver x = new TestDrivers.XDriver();
    final TestDrivers.XNic nics = new TestDrivers.XNic();
    /** How often the server asked to quit. */
    final AtomicInteger quits = new AtomicInteger();
    /** The server's log. */
    final RecordingLog log = new RecordingLog("qmp-test");
    private final List<QmpTestClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        runtime = new NetRuntime(2, System::getLogger);
        runtime.bindNetClientDriver(x, Map.of(NetClientDriver.TYPE, "x"));
        runtime.bindNetFilterDriver(new PassFilterDriver<>(TestDrivers.XFilterOptions.class),
                Map.of(NetFilterDriver.TYPE, "filter-x"));
        runtime.bindNicModel(nics, Map.of(NicModel.TYPE, "nic-x"));
        server = new QmpServer(runtime, "patchbay-1.0.0", quits::incrementAndGet, log);
        runtime.bindNetEventListener(server);
        tcp = server.listen("tcp:127.0.0.1:0,server=on,wait=off");
    }

    @AfterEach
    void stop() throws Exception {
        for (QmpTestClient c : clients) {
            c.close();
        }
        server.close();
        runtime.close();
    }

    /** @return a client connected to the TCP endpoint, before the greeting */
    QmpTestClient connect() throws Exception {
        QmpTestClient c = QmpTestClient.connect(tcp);
        clients.add(c);
        return c;
    }

    /** @return a client connected to the TCP endpoint and out of capabilities negotiation */
    QmpTestClient negotiated() throws Exception {
        QmpTestClient c = QmpTestClient.negotiated(tcp);
        clients.add(c);
        return c;
    }
}
