package launcher;

import java.util.ArrayList;
import java.util.List;
import net.control.Section;

/**
 * QEMU's {@code -netdev help}, {@code -object help}, {@code -device help} and {@code model=help}: the types installed
 * now, in QEMU 7.2's format, on stdout. QEMU lists its compiled-in netdev types in a fixed order;
 * Patchbay's come in that order, then the others (built-in or deployed) by name, and a note on
 * stderr says where drivers of more types go.
 */
final class TypeHelp {

    /** The order of QEMU 7.2's list (of all it may be built with). */
    private static final List<String> QEMU_NETDEV_ORDER = List.of("socket", "stream", "dgram", "hubport", "tap",
            "user", "l2tpv3", "vde", "bridge", "netmap", "vhost-user", "vhost-vdpa");

    private TypeHelp() {
    }

    /**
     * @param option a network option
     * @return whether it asks for a list of types ({@code help} or {@code ?} as its type), as QEMU
     *         takes it for -netdev, -object and -device, or as its {@code model} for -net nic and
     *         -nic; {@code -net help} and {@code -nic help} are unknown types there
     */
    static boolean asksForList(NetworkOption option) {
        if (option.model() != null) {
            return isHelp(option.model()); // -net nic,model=help and -nic TYPE,model=help
        }
        // QEMU 7.2's -nic help fails: its type is checked before help is looked for
        return option.section() != Section.NET && option.section() != Section.NIC && isHelp(option.type());
    }

    private static boolean isHelp(String value) {
        return value.equals("help") || value.equals("?");
    }

    /**
     * @param option an option that {@link #asksForList asks for a list}
     * @param types  what is installed
     * @return the list, each line ending with a newline
     */
    static String list(NetworkOption option, DriverTypes types) {
        StringBuilder text = new StringBuilder();
        switch (option.section()) {
            case NETDEV -> {
                text.append("Available netdev backend types:\n");
                List<String> ordered = new ArrayList<>();
                QEMU_NETDEV_ORDER.stream().filter(types.netdevs()::contains).forEach(ordered::add);
                types.netdevs().stream().filter(t -> !ordered.contains(t)).forEach(ordered::add);
                ordered.forEach(t -> text.append(t).append('\n'));
            }
            case OBJECT -> {
                text.append("List of user creatable objects:\n");
                types.filters().forEach(t -> text.append("  ").append(t).append('\n'));
            }
            case DEVICE -> {
                if (!types.nics().isEmpty()) {
                    text.append("Network devices:\n");
                    types.nics().forEach(t -> text.append("name \"").append(t).append("\"\n"));
                }
            }
            case NET, NIC -> {
                // What QEMU prints for a machine that has NICs (-M none has none and lists nothing).
                text.append("Supported NIC models:\n");
                types.nics().forEach(t -> text.append(t).append('\n'));
            }
        }
        return text.toString();
    }

    /** @return the note on where more drivers come from, for stderr */
    static String deployNote(DriverTypes types) {
        return "patchbay: more types come as driver bundles (*.jar) dropped into " + types.deploy();
    }
}
