package dev.braid.instance.protocol;

/**
 * Flyweight over a cookie reply (type 3, 64 bytes):
 * <pre>
 *   0 type=3, 3 zero bytes   4 receiver index (the sender index of the message answered)
 *   8 nonce (24)   32 encrypted cookie (16+16)
 * </pre>
 */
public final class CookieReply {
    public static final int LENGTH = WireGuardSpec.COOKIE_REPLY_BYTES;
    static final int RECEIVER = 4;
    static final int NONCE = 8;
    static final int COOKIE = 32;
    static final int COOKIE_SEALED_BYTES = WireGuardSpec.COOKIE_BYTES + WireGuardSpec.TAG_BYTES;

    private byte[] buffer;
    private int offset;

    public static DropReason check(byte[] buf, int offset, int length) {
        return Messages.checkFixed(buf, offset, length, WireGuardSpec.MESSAGE_COOKIE_REPLY, LENGTH);
    }

    public CookieReply wrap(byte[] buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int receiverIndex() {
        return ByteOrderAccess.getIntLE(buffer, offset + RECEIVER);
    }

    void writeHeader(int receiverIndex) {
        ByteOrderAccess.putIntLE(buffer, offset, WireGuardSpec.MESSAGE_COOKIE_REPLY);
        ByteOrderAccess.putIntLE(buffer, offset + RECEIVER, receiverIndex);
    }
}
