package dev.braid.instance.protocol;

/**
 * Dispatch on the first four bytes of a UDP payload. WireGuard's type is one byte followed by three
 * reserved zero bytes; like wireguard-go, Braid reads all four as a little-endian u32, so a message
 * with non-zero reserved bytes is unknown rather than silently accepted.
 */
public final class Messages {
    private Messages() {
    }

    /**
     * The message type (1..4) if the payload starts with a known type, else
     * {@link DropReason#UNKNOWN_MESSAGE_TYPE}'s code (or {@link DropReason#BAD_LENGTH}'s when there are
     * not even four bytes). Lengths are checked by each message's own {@code check}.
     */
    public static int typeOf(byte[] buf, int offset, int length) {
        if (length < 4) {
            return DropReason.BAD_LENGTH.code();
        }
        int type = ByteOrderAccess.getIntLE(buf, offset);
        return type >= WireGuardSpec.MESSAGE_INITIATION && type <= WireGuardSpec.MESSAGE_TRANSPORT
                ? type : DropReason.UNKNOWN_MESSAGE_TYPE.code();
    }

    /** Checks the exact length and the type of a fixed-size handshake-family message. */
    static DropReason checkFixed(byte[] buf, int offset, int length, int type, int expectedLength) {
        if (length != expectedLength) {
            return DropReason.BAD_LENGTH;
        }
        if (ByteOrderAccess.getIntLE(buf, offset) != type) {
            return DropReason.UNKNOWN_MESSAGE_TYPE;
        }
        return null;
    }
}
