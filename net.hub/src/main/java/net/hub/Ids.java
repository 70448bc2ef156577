package net.hub;

import net.api.NetException;

/** QEMU's identifier rule: an ASCII letter, then letters, digits, '-', '.' or '_'. */
final class Ids {

    private Ids() {
    }

    static boolean isValid(String id) {
        if (id == null || id.isEmpty() || !isLetter(id.charAt(0))) {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!isLetter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.' && c != '_') {
                return false;
            }
        }
        return true;
    }

    static String check(String id) throws NetException {
        if (!isValid(id)) {
            throw NetException.generic("Parameter 'id' expects an identifier");
        }
        return id;
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
