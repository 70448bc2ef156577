package net.hub;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registered drivers of one kind, by type. The first registered for a type is in use; others
 * wait in order and take over when it leaves.
 *
 * @param <D> the driver service type
 */
final class DriverTable<D> {

    record Entry<D>(D driver, String type, String bundle, String version) {
    }

    private final String kind;
    private final Map<String, List<Entry<D>>> byType = new LinkedHashMap<>();

    DriverTable(String kind) {
        this.kind = kind;
    }

    String kind() {
        return kind;
    }

    D current(String type) {
        List<Entry<D>> list = byType.get(type);
        return list == null || list.isEmpty() ? null : list.get(0).driver();
    }

    /** @return true when the entry is now the one in use for its type */
    boolean add(Entry<D> entry) {
        List<Entry<D>> list = byType.computeIfAbsent(entry.type(), t -> new ArrayList<>());
        list.add(entry);
        return list.size() == 1;
    }

    /** @return true when the removed driver was the one in use for its type */
    boolean remove(String type, D driver) {
        List<Entry<D>> list = byType.get(type);
        if (list == null) {
            return false;
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).driver() == driver) {
                list.remove(i);
                if (list.isEmpty()) {
                    byType.remove(type);
                }
                return i == 0;
            }
        }
        return false;
    }

    List<Entry<D>> inUse() {
        List<Entry<D>> out = new ArrayList<>();
        byType.values().forEach(list -> out.add(list.get(0)));
        return out;
    }
}
