package net.control;

/** The kinds of thing a user adds, named after QEMU's command-line options. */
public enum Section {
    /** {@code -netdev TYPE,id=ID,...} and QMP {@code netdev_add}: a backend or a hubport. */
    NETDEV("netdev", "type"),
    /** Legacy {@code -net TYPE,...}: a backend joined to a hub port ({@code vlan=N}, default hub 0). */
    NET("net", "type"),
    /** {@code -object TYPE,id=ID,...} and QMP {@code object-add}: a netfilter. */
    OBJECT("object", "qom-type"),
    /** {@code -device MODEL,netdev=ID,...} and QMP {@code device_add}: an in-process NIC. */
    DEVICE("device", "driver"),
    /**
     * {@code -nic TYPE[,id=ID][,model=MODEL][,mac=MAC],...}: a netdev and a NIC of that model
     * plugged into it, in one option (command line only).
     *
     * @since 2.1
     */
    NIC("nic", "type"),
    /**
     * {@code -chardev BACKEND,id=ID,...}: a character device, made by the bundle that provides
     * chardevs ({@code net.chardev}), not by {@link NetControl}.
     */
    CHARDEV("chardev", "backend");

    private final String option;
    private final String typeKey;

    Section(String option, String typeKey) {
        this.option = option;
        this.typeKey = typeKey;
    }

    /**
     * The section a command-line option names. QEMU accepts its options with one dash or two.
     *
     * @param option e.g. {@code -netdev}, {@code --netdev}
     * @return the section, or null when the option is none of these
     */
    public static Section ofOption(String option) {
        String name = option.startsWith("--") ? option.substring(2) : option.startsWith("-") ? option.substring(1) : null;
        for (Section section : values()) {
            if (section.option.equals(name)) {
                return section;
            }
        }
        return null;
    }

    /** @return the command-line option without its dash, e.g. {@code netdev} */
    public String option() {
        return option;
    }

    /**
     * @return the argument that names the type: {@code type} for netdevs, {@code qom-type} for
     *         objects, {@code driver} for devices, {@code backend} for chardevs; it is the implied
     *         first key on the command line
     */
    public String typeKey() {
        return typeKey;
    }
}
