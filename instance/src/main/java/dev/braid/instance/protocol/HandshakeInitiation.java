package dev.braid.instance.protocol;

/**
 * Flyweight over a handshake initiation (type 1, 148 bytes) in a caller's buffer:
 * <pre>
 *   0 type=1, 3 zero bytes   4 sender index (LE)   8 unencrypted ephemeral (32)
 *  40 encrypted static (32+16)   88 encrypted TAI64N (12+16)   116 mac1 (16)   132 mac2 (16)
 * </pre>
 */
public final class HandshakeInitiation {
    public static final int LENGTH = WireGuardSpec.INITIATION_BYTES;
    static final int SENDER = 4;
    static final int EPHEMERAL = 8;
    static final int STATIC = 40;
    static final int STATIC_SEALED_BYTES = WireGuardSpec.KEY_BYTES + WireGuardSpec.TAG_BYTES;
    static final int TIMESTAMP = 88;
    static final int TIMESTAMP_SEALED_BYTES = WireGuardSpec.TAI64N_BYTES + WireGuardSpec.TAG_BYTES;
    static final int MAC1 = 116;
    static final int MAC2 = 132;

    private byte[] buffer;
    private int offset;

    /** Null if buf[offset, offset+length) has the exact length and type of an initiation, else why not. */
    public static DropReason check(byte[] buf, int offset, int length) {
        return Messages.checkFixed(buf, offset, length, WireGuardSpec.MESSAGE_INITIATION, LENGTH);
    }

    public HandshakeInitiation wrap(byte[] buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int senderIndex() {
        return ByteOrderAccess.getIntLE(buffer, offset + SENDER);
    }

    void writeTypeAndSender(int senderIndex) {
        ByteOrderAccess.putIntLE(buffer, offset, WireGuardSpec.MESSAGE_INITIATION);
        ByteOrderAccess.putIntLE(buffer, offset + SENDER, senderIndex);
    }

    byte[] buffer() {
        return buffer;
    }

    int offset() {
        return offset;
    }
}
