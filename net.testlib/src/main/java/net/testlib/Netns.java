package net.testlib;

import java.io.IOException;

/** A network namespace this test made; {@link #close()} deletes it and whatever it still holds. */
public final class Netns implements AutoCloseable {

    public final String name = Host.name("pbns");

    public Netns() throws IOException, InterruptedException {
        Host.sh("ip", "netns", "add", name);
        Host.sh("ip", "-n", name, "link", "set", "lo", "up");
    }

    /** Moves a root-namespace interface here, gives it an address and brings it up. */
    public void adopt(String ifname, String cidr) throws IOException, InterruptedException {
        Host.sh("ip", "link", "set", ifname, "netns", name);
        Host.sh("ip", "-n", name, "addr", "add", cidr, "dev", ifname);
        Host.sh("ip", "-n", name, "link", "set", ifname, "up");
    }

    /**
     * @return the command prefixed to run inside this namespace; a program not installed fails the
     *         test with one line naming its Debian package ({@link Installed})
     */
    public String[] exec(String... command) {
        Installed.require(command[0]);
        String[] all = new String[command.length + 4];
        all[0] = "ip";
        all[1] = "netns";
        all[2] = "exec";
        all[3] = name;
        System.arraycopy(command, 0, all, 4, command.length);
        return all;
    }

    @Override
    public void close() {
        Host.quietly("ip", "netns", "del", name);
    }
}
