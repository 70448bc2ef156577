package net.hub;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The address a NIC got by default, kept among its options as QEMU keeps it in the device's
 * {@code mac} property. A model's table of default addresses lives in its bundle: when the bundle
 * goes and comes back, the new table would hand out its first free address, not the one the NIC
 * had. With the address kept, the NIC is restored as it was.
 */
final class NicAddress {

    /** QEMU's property of every NIC's address. */
    static final String MAC = "mac";

    private NicAddress() {
    }

    /**
     * @param optionsType the model's option record
     * @param options     the NIC's options
     * @return whether the NIC was given no address and its model takes one as a string
     */
    static boolean isDefault(Class<?> optionsType, Map<String, Object> options) {
        if (options.containsKey(MAC) || !optionsType.isRecord()) {
            return false;
        }
        for (RecordComponent c : optionsType.getRecordComponents()) {
            if (c.getName().equals(MAC) && c.getType() == String.class) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param options the NIC's options
     * @param mac     the address it got
     * @return the options with the address added last
     */
    static Map<String, Object> kept(Map<String, Object> options, String mac) {
        Map<String, Object> with = new LinkedHashMap<>(options);
        with.put(MAC, mac);
        return with;
    }
}
