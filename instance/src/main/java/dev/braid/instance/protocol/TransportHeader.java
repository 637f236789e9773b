package dev.braid.instance.protocol;

/**
 * The 16-byte header of a transport-data message (type 4), read and written in place:
 * <pre>
 *   0 type=4, 3 zero bytes   4 receiver index (LE)   8 counter (LE u64)   16 encrypted packet ‖ tag
 * </pre>
 * Static accessors rather than a wrapped flyweight: this is the per-packet path and the caller
 * already holds the buffer and offset.
 */
public final class TransportHeader {
    public static final int LENGTH = WireGuardSpec.TRANSPORT_HEADER_BYTES;
    static final int RECEIVER = 4;
    static final int COUNTER = 8;

    private TransportHeader() {
    }

    /** 0 if the message is long enough for a transport message and says type 4, else a drop code. */
    public static int check(byte[] buf, int offset, int length) {
        if (length < WireGuardSpec.KEEPALIVE_BYTES) {
            return DropReason.BAD_LENGTH.code();
        }
        if (ByteOrderAccess.getIntLE(buf, offset) != WireGuardSpec.MESSAGE_TRANSPORT) {
            return DropReason.UNKNOWN_MESSAGE_TYPE.code();
        }
        return 0;
    }

    /** The receiver index: the caller maps it to a {@link Keypair} before {@link TransportCipher#open}. */
    public static int receiverIndex(byte[] buf, int offset) {
        return ByteOrderAccess.getIntLE(buf, offset + RECEIVER);
    }

    public static long counter(byte[] buf, int offset) {
        return ByteOrderAccess.getLongLE(buf, offset + COUNTER);
    }

    static void write(byte[] buf, int offset, int receiverIndex, long counter) {
        ByteOrderAccess.putIntLE(buf, offset, WireGuardSpec.MESSAGE_TRANSPORT);
        ByteOrderAccess.putIntLE(buf, offset + RECEIVER, receiverIndex);
        ByteOrderAccess.putLongLE(buf, offset + COUNTER, counter);
    }
}
