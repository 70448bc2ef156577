package net.itest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Test Ethernet frames that say where they came from, so a wrong delivery is visible. */
final class Frames {

    /** Ethernet's minimum frame length without the FCS. */
    private static final int MIN_FRAME = 60;

    /** IEEE 802 "local experimental" ethertype: no real stack on the path will act on it. */
    private static final short ETHERTYPE_EXPERIMENTAL = (short) 0x88b5;

    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    private static final byte[] SOURCE = {0x02, 0, 0, 0, 0, 0x01};

    private Frames() {
    }

    /**
     * @param tag text carried as the payload, e.g. {@code u1->hub #3}
     * @return a broadcast frame, padded to the Ethernet minimum
     */
    static byte[] tagged(String tag) {
        byte[] payload = tag.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer frame = ByteBuffer.allocate(Math.max(MIN_FRAME, 14 + payload.length));
        frame.put(BROADCAST).put(SOURCE).putShort(ETHERTYPE_EXPERIMENTAL).put(payload);
        return frame.array();
    }

    /**
     * @param frame a frame or null
     * @return it readably, for assertion messages
     */
    static String describe(byte[] frame) {
        if (frame == null) {
            return "nothing";
        }
        String text = new String(frame, 14, frame.length - 14, StandardCharsets.US_ASCII).replace("\0", "");
        return frame.length + " bytes '" + text + "' " + HexFormat.of().formatHex(frame, 0, Math.min(frame.length, 16));
    }
}
