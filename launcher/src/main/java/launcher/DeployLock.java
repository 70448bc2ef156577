package launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The claim of one running Patchbay on its deploy directory: a file {@value #NAME} in it, locked
 * for as long as the process lives (the kernel drops the lock however the process ends), holding
 * its pid and QMP endpoints. Two runtimes on one directory would both apply its netdev files and
 * fight over their ports and the jars' types, so a second start is refused with a line naming the
 * first. FileInstall never sees the file: it skips names beginning with a dot.
 */
final class DeployLock implements AutoCloseable {

    /** The lock file's name in the deploy directory. */
    static final String NAME = ".patchbay.lock";

    private final FileChannel channel;

    private DeployLock(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Takes the deploy directory.
     *
     * @param deploy the deploy directory, which exists
     * @param qmp    this start's QMP endpoints, written into the file for a second start to name
     * @return the lock, held until closed or the process ends
     * @throws UsageException naming the running Patchbay that holds it
     * @throws IOException    when the file cannot be made or locked
     */
    static DeployLock take(Path deploy, List<String> qmp) throws UsageException, IOException {
        Path file = deploy.resolve(NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new UsageException("--deploy " + deploy + ": in use by another Patchbay (" + holder
                    + "); give each its own --deploy DIR");
        }
        String text = "pid " + ProcessHandle.current().pid() + ", QMP " + (qmp.isEmpty() ? "none"
                : String.join(" ", qmp.stream().map(DeployLock::withoutOptions).toList()));
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        return new DeployLock(channel);
    }

    /** {@code unix:PATH} of {@code unix:PATH,server=on,wait=off}: where to connect. */
    private static String withoutOptions(String qmp) {
        int comma = qmp.indexOf(',');
        return comma < 0 ? qmp : qmp.substring(0, comma);
    }

    /** What the holder wrote: its pid and QMP endpoints (it may be writing them this moment). */
    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        channel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "starting" : text.lines().findFirst().orElseThrow();
    }

    /** Lets the directory go; the file stays for the next start to lock. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }
}
