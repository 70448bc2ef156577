package net.itest;

import net.api.ErrorClass;
import net.api.NetException;
import net.control.NetControl;

/** Yes/no questions to the control service, for bounded waits. */
final class ControlQueries {

    private ControlQueries() {
    }

    /**
     * @param control the control service
     * @param type    a netdev type
     * @return whether {@link NetControl#drivers()} lists it
     */
    static boolean driverListed(NetControl control, String type) {
        return control.drivers().stream().anyMatch(d -> d.type().equals(type));
    }

    /**
     * @param control the control service
     * @param name    a netdev id
     * @return whether it exists (in any state)
     * @throws NetException when the lookup fails with anything but DeviceNotFound
     */
    static boolean clientExists(NetControl control, String name) throws NetException {
        try {
            control.client(name);
            return true;
        } catch (NetException e) {
            if (e.errorClass() == ErrorClass.DeviceNotFound) {
                return false;
            }
            throw e;
        }
    }
}
