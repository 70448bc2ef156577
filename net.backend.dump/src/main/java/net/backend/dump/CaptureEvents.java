package net.backend.dump;

import java.util.LinkedHashMap;
import java.util.Map;

/** The QMP event a capture raises when it stops on an error; QEMU has none, hence the prefix. */
final class CaptureEvents {

    /** {@code {"id": ..., "netdev": ..., "file": ..., "reason": ...}} */
    static final String STOPPED = "X_CAPTURE_STOPPED";

    private CaptureEvents() {
    }

    /**
     * @param id     the filter object or dump netdev that recorded
     * @param netdev the netdev it recorded
     * @param file   the file, or null when it was never decided
     * @param reason why it stopped
     * @return the event's data
     */
    static Map<String, Object> stopped(String id, String netdev, Object file, String reason) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", id);
        data.put("netdev", netdev);
        if (file != null) {
            data.put("file", file.toString());
        }
        data.put("reason", reason);
        return data;
    }
}
