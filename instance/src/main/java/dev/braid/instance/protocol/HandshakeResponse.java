package dev.braid.instance.protocol;

/**
 * Flyweight over a handshake response (type 2, 92 bytes):
 * <pre>
 *   0 type=2, 3 zero bytes   4 sender index   8 receiver index (the initiator's sender index)
 *  12 unencrypted ephemeral (32)   44 encrypted nothing (0+16)   60 mac1 (16)   76 mac2 (16)
 * </pre>
 */
public final class HandshakeResponse {
    public static final int LENGTH = WireGuardSpec.RESPONSE_BYTES;
    static final int SENDER = 4;
    static final int RECEIVER = 8;
    static final int EPHEMERAL = 12;
    static final int EMPTY = 44;
    static final int MAC1 = 60;
    static final int MAC2 = 76;

    private byte[] buffer;
    private int offset;

    public static DropReason check(byte[] buf, int offset, int length) {
        return Messages.checkFixed(buf, offset, length, WireGuardSpec.MESSAGE_RESPONSE, LENGTH);
    }

    public HandshakeResponse wrap(byte[] buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int senderIndex() {
        return ByteOrderAccess.getIntLE(buffer, offset + SENDER);
    }

    public int receiverIndex() {
        return ByteOrderAccess.getIntLE(buffer, offset + RECEIVER);
    }

    void writeHeader(int senderIndex, int receiverIndex) {
        ByteOrderAccess.putIntLE(buffer, offset, WireGuardSpec.MESSAGE_RESPONSE);
        ByteOrderAccess.putIntLE(buffer, offset + SENDER, senderIndex);
        ByteOrderAccess.putIntLE(buffer, offset + RECEIVER, receiverIndex);
    }
}
