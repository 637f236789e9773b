package dev.braid.ecmp;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Walks the attributes (struct nlattr / rtattr: u16 length, u16 type, value padded to 4) in a range
 * of a buffer, in place. For a nested attribute, {@link #nested} gives a reader over its children.
 * Malformed lengths end the walk instead of reading outside the range.
 */
final class AttributeReader {
    private ByteBuffer buffer;
    private int end;
    private int offset;
    private int nextOffset;

    AttributeReader wrap(ByteBuffer buffer, int start, int end) {
        this.buffer = buffer.order(ByteOrder.nativeOrder());
        this.end = end;
        this.offset = -1;
        this.nextOffset = start;
        return this;
    }

    boolean next() {
        if (nextOffset + Rtnl.NLA_HDRLEN > end) {
            return false;
        }
        int length = buffer.getShort(nextOffset) & 0xffff;
        if (length < Rtnl.NLA_HDRLEN || nextOffset + length > end) {
            return false;
        }
        offset = nextOffset;
        nextOffset = offset + NetlinkMessageReader.align(length);
        return true;
    }

    /** The attribute type without the nested / byte-order flag bits. */
    int type() {
        return buffer.getShort(offset + 2) & Rtnl.NLA_TYPE_MASK;
    }

    int valueOffset() {
        return offset + Rtnl.NLA_HDRLEN;
    }

    int valueLength() {
        return (buffer.getShort(offset) & 0xffff) - Rtnl.NLA_HDRLEN;
    }

    int u8() {
        return buffer.get(valueOffset()) & 0xff;
    }

    int u16() {
        return buffer.getShort(valueOffset()) & 0xffff;
    }

    int u32() {
        return buffer.getInt(valueOffset());
    }

    long u64() {
        return buffer.getLong(valueOffset());
    }

    /** Accepts a value with or without its terminating NUL. */
    String string() {
        int length = valueLength();
        while (length > 0 && buffer.get(valueOffset() + length - 1) == 0) {
            length--;
        }
        byte[] b = new byte[length];
        buffer.get(valueOffset(), b);
        return new String(b, StandardCharsets.UTF_8);
    }

    byte[] bytes() {
        byte[] b = new byte[valueLength()];
        buffer.get(valueOffset(), b);
        return b;
    }

    /** An IPv4 or IPv6 address value; null when the length fits neither. */
    InetAddress address() {
        int length = valueLength();
        return length == 4 || length == 16 ? IpLiteral.toAddress(bytes()) : null;
    }

    AttributeReader nested() {
        return new AttributeReader().wrap(buffer, valueOffset(), valueOffset() + valueLength());
    }
}
