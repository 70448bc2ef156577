package net.driverkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import net.api.NetException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFilesTest {

    @TempDir
    Path work;

    @Test
    void aFileInsideTheDeployDirectoryIsRefusedHoweverItIsNamed() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        Files.createDirectories(deploy.resolve("sub"));
        Path link = Files.createSymbolicLink(work.resolve("link.cfg"), deploy.resolve("x.cfg"));
        Path dirLink = Files.createSymbolicLink(work.resolve("d"), deploy);
        OutputFiles outputs = OutputFiles.of(Map.of(OutputFiles.DEPLOY_DIRECTORY, deploy.toString())::get);
        String refusal = "Parameter 'file' expects a file outside the deploy directory " + deploy.toRealPath();
        for (Path inside : new Path[] {deploy.resolve("net.qmp.endpoint-x.cfg"), deploy.resolve("sub/new/x.pcap"),
                work.resolve("elsewhere/../deploy/x.cfg"), dirLink.resolve("x.cfg"), link}) {
            assertEquals(refusal, assertThrows(NetException.class, () -> outputs.check(inside.toString())).getMessage(),
                    inside.toString());
        }
        outputs.check(work.resolve("x.pcap").toString());
        outputs.check(work.resolve("deploy-x.pcap").toString()); // a sibling whose name starts alike
        OutputFiles.of(Map.<String, String>of()::get).check(deploy.resolve("x.cfg").toString());
    }
}
