package launcher;

import java.util.Map;
import net.api.NetException;
import net.control.NetdevTypes;
import net.control.Section;
import net.control.QemuOptions;

/**
 * One of QEMU's network options from the command line, e.g. {@code -netdev socket,id=s0}.
 *
 * @param section the option
 * @param value   its value as given
 * @param type    the type it names (netdev type, QOM type or device model)
 * @param model   the NIC model of {@code -net nic,model=M} and {@code -nic TYPE,model=M}, else null
 * @param id      its {@code id}, or null
 */
record NetworkOption(Section section, String value, String type, String model, String id) {

    /**
     * Checks the value's syntax and that it names a type; the runtime checks the rest.
     *
     * @param section the option
     * @param value   its value
     * @return the option
     * @throws UsageException when the value is malformed or names no type
     */
    static NetworkOption of(Section section, String value) throws UsageException {
        String where = "-" + section.option() + " " + value;
        Map<String, Object> arguments;
        try {
            arguments = QemuOptions.parse(value, section.typeKey());
        } catch (NetException e) {
            throw new UsageException(where + ": " + e.getMessage());
        }
        if (section == Section.CHARDEV && !arguments.containsKey(section.typeKey()) && arguments.get("id") != null) {
            throw new UsageException(where + ": chardev: \"" + arguments.get("id") + "\" missing backend");
        }
        if (section == Section.NIC && "".equals(arguments.getOrDefault(section.typeKey(), ""))) {
            arguments.put(section.typeKey(), "user"); // QEMU's -nic without a type
        }
        if (!(arguments.get(section.typeKey()) instanceof String type)) {
            throw new UsageException(where + ": Parameter '" + section.typeKey() + "' is missing");
        }
        if (type.isEmpty()) {
            // QEMU looks an empty type up like any other name
            throw new UsageException(where + ": " + (section == Section.NETDEV || section == Section.NET
                    ? NetdevTypes.missing(type).getMessage() : "Parameter '" + section.typeKey() + "' is missing"));
        }
        Object model = section == Section.NET && "nic".equals(type) || section == Section.NIC ? arguments.get("model") : null;
        Object id = arguments.get("id");
        return new NetworkOption(section, value, type, model == null ? null : model.toString(),
                id == null ? null : id.toString());
    }

    /** @return {@code -OPTION VALUE}, the form the command-line front end and error lines use */
    @Override
    public String toString() {
        return "-" + section.option() + " " + value;
    }
}
