package net.backend.dump;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.EnumSet;
import java.util.Set;
import net.api.NetException;

/**
 * Who may read a named pipe made for a live capture: its mode and its group. The pipe is made in
 * a new directory only Patchbay's user can enter, given its mode and group there, and only then is
 * the directory opened to the same readers (search permission only), so nobody can open the pipe
 * before its permissions are final.
 *
 * @param mode  the pipe's permission bits (0 to 0777)
 * @param group the pipe's group, or null for Patchbay's
 */
public record PipeAccess(int mode, String group) {

    /** Only Patchbay's user reads the pipe. */
    public static final PipeAccess OWNER = new PipeAccess(0600, null);
    /** The mode when only a group is given: the group reads. */
    static final int GROUP_READS = 0640;

    /**
     * Reads the options as given by a person or QMP.
     *
     * @param mode  octal text such as {@code 0640}, or null: {@code 0640} with a group, else {@code 0600}
     * @param group a group name, or null
     * @return the access
     * @throws NetException for a mode that is not octal permission bits
     */
    public static PipeAccess of(String mode, String group) throws NetException {
        if (mode == null) {
            return new PipeAccess(group == null ? OWNER.mode() : GROUP_READS, group);
        }
        if (!mode.matches("0?[0-7]{1,3}")) {
            throw NetException.generic("Parameter 'mode' expects an octal file mode such as 0640");
        }
        return new PipeAccess(Integer.parseInt(mode, 8), group);
    }

    /**
     * Gives a pipe (and the private directory it is in) these permissions; the directory last.
     *
     * @param fifo the pipe, in a directory of its own with mode 0700
     * @throws NetException when the group does not exist or may not be given
     */
    void apply(Path fifo) throws NetException {
        Path dir = fifo.getParent();
        if (group != null) {
            GroupPrincipal principal;
            try {
                principal = fifo.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            } catch (UserPrincipalNotFoundException e) {
                throw NetException.generic("group '%s' not found", group);
            } catch (IOException e) {
                throw NetException.generic("group '%s': %s", group, CaptureFile.reason(e));
            }
            setGroup(fifo, principal);
            setGroup(dir, principal);
        }
        setMode(fifo, mode);
        // Readers need to enter the directory (x), not to list it: the pipe's name is printed.
        setMode(dir, 0700 | (mode & 0044) >> 2);
    }

    private void setGroup(Path p, GroupPrincipal principal) throws NetException {
        try {
            Files.getFileAttributeView(p, PosixFileAttributeView.class).setGroup(principal);
        } catch (IOException e) {
            throw NetException.generic("can't give %s to group '%s': %s", p, group, CaptureFile.reason(e));
        }
    }

    private static void setMode(Path p, int mode) throws NetException {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
        for (int i = 0; i < bits.length; i++) {
            if ((mode & 1 << (bits.length - 1 - i)) != 0) {
                perms.add(bits[i]);
            }
        }
        try {
            Files.setPosixFilePermissions(p, perms);
        } catch (IOException e) {
            throw NetException.generic("can't set the mode of %s: %s", p, CaptureFile.reason(e));
        }
    }

    /** @return the mode as {@code ls} users read it, e.g. {@code 0640} */
    String octal() {
        return String.format("0%03o", mode);
    }
}
