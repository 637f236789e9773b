package dev.braid.ecmp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Test helpers: bytes from strace's "\x00\x62..." notation, and netlink headers around them. */
final class Bytes {
    private Bytes() {
    }

    /** Parses strace -xx output ("\x0a\x00...") into bytes. */
    static byte[] strace(String escaped) {
        String s = escaped.replace("\\x", "");
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    /** The payload of the message in {@code buffer} (after the 16-byte nlmsghdr). */
    static byte[] payload(ByteBuffer buffer, int length) {
        byte[] out = new byte[length - 16];
        buffer.get(16, out);
        return out;
    }

    static int headerLength(ByteBuffer b) {
        return b.order(ByteOrder.nativeOrder()).getInt(0);
    }

    static int headerType(ByteBuffer b) {
        return b.order(ByteOrder.nativeOrder()).getShort(4) & 0xffff;
    }

    static int headerFlags(ByteBuffer b) {
        return b.order(ByteOrder.nativeOrder()).getShort(6) & 0xffff;
    }

    static int headerSeq(ByteBuffer b) {
        return b.order(ByteOrder.nativeOrder()).getInt(8);
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
