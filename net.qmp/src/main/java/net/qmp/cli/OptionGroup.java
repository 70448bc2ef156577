package net.qmp.cli;

import java.util.Map;
import net.api.NetException;
import net.control.Section;
import net.control.QemuOptions;

/**
 * One command-line option with its value, e.g. {@code -netdev socket,id=s0,listen=:1}.
 *
 * @param section the option
 * @param value   its value in QEMU's option syntax
 */
public record OptionGroup(Section section, String value) {

    /**
     * @param text the option, a space, and the value
     * @return the group
     * @throws IllegalArgumentException when the option is not {@code -netdev}, {@code -net},
     *                                  {@code -object} or {@code -device}
     */
    public static OptionGroup parse(String text) {
        int space = text.indexOf(' ');
        String option = space < 0 ? text : text.substring(0, space);
        Section section = Section.ofOption(option);
        if (section == null) {
            throw new IllegalArgumentException("not a network option: " + text);
        }
        return new OptionGroup(section, space < 0 ? "" : text.substring(space + 1));
    }

    /**
     * @return the value as the tree {@link net.control.NetControl} takes
     * @throws NetException when the value is malformed
     */
    public Map<String, Object> arguments() throws NetException {
        return QemuOptions.parse(value, section.typeKey());
    }

    /** @return the option and value as the user wrote them, e.g. for an error line */
    @Override
    public String toString() {
        return "-" + section.option() + " " + value;
    }
}
