package net.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import net.api.RxFilterInfo;
import net.control.Section;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.InjectDriver.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A {@code sink} on a hub with an inject netdev: it takes what is addressed to it and ignores the rest. */
@Timeout(30)
class SinkModelTest {

    private static byte[] frameTo(String mac) {
        ByteBuffer frame = ByteBuffer.allocate(60);
        new MacAddress(Long.parseLong(mac.replace(":", ""), 16)).put(frame);
        frame.put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x88b5);
        return frame.array();
    }

    @Test
    void takesItsOwnBroadcastAndIgnoresOtherUnicast() throws Exception {
        try (TestRuntime rt = new TestRuntime(1).nicModel("sink", new SinkModel(new MacTable()))) {
            rt.netdev("inject,id=src");
            rt.hub("src");
            rt.netdev("hubport,id=port-k0,hubid=1");
            rt.add(Section.DEVICE, "sink,id=k0,netdev=port-k0");
            Inject src = rt.inject.get("src");
            src.send(List.of(frameTo("52:54:00:12:34:56"), frameTo("ff:ff:ff:ff:ff:ff"),
                    frameTo("52:54:00:12:34:99"), frameTo("01:00:5e:00:00:01")));
            Await.until(() -> rt.counter("k0", "rx-filtered") == 2, "two frames filtered");
            // The runtime counts what reached the NIC; the filter's share is counted apart.
            assertEquals(4, rt.client("k0").counters().rxFrames());
            RxFilterInfo f = rt.runtime.queryRxFilter("k0").get(0);
            assertEquals("52:54:00:12:34:56", f.mainMac());
            assertEquals("model=sink,macaddr=52:54:00:12:34:56", rt.info("k0"));
        }
    }
}
