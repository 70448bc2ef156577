package net.backend.user;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * QAPI's {@code String} in a {@code StringList}: {@code {"str": "..."}} over QMP, a bare string on
 * the command line ({@code hostfwd=tcp::2222-:22}).
 *
 * @param str the value
 */
public record QemuString(String str) {

    /**
     * @param str a bare string
     * @return it, wrapped
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static QemuString of(String str) {
        return new QemuString(str);
    }

    /** @param str the value of the {@code str} member */
    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public QemuString {
    }
}
