package dev.braid.ecmp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Walks the netlink messages of one received datagram in place (flyweight over the receive
 * buffer): {@link #next} moves to the following nlmsghdr, the accessors read the current one.
 * A message whose length runs past the datagram ends the walk, as NLMSG_OK does in C.
 */
final class NetlinkMessageReader {
    private ByteBuffer buffer;
    private int limit;
    private int offset;
    private int nextOffset;

    NetlinkMessageReader wrap(ByteBuffer buffer, int length) {
        this.buffer = buffer.order(ByteOrder.nativeOrder());
        this.limit = length;
        this.offset = -1;
        this.nextOffset = 0;
        return this;
    }

    boolean next() {
        if (nextOffset + Rtnl.NLMSG_HDRLEN > limit) {
            return false;
        }
        int length = buffer.getInt(nextOffset);
        if (length < Rtnl.NLMSG_HDRLEN || nextOffset + length > limit) {
            return false;
        }
        offset = nextOffset;
        nextOffset = offset + align(length);
        return true;
    }

    int offset() {
        return offset;
    }

    int length() {
        return buffer.getInt(offset);
    }

    int type() {
        return buffer.getShort(offset + 4) & 0xffff;
    }

    int flags() {
        return buffer.getShort(offset + 6) & 0xffff;
    }

    int sequence() {
        return buffer.getInt(offset + 8);
    }

    int portId() {
        return buffer.getInt(offset + 12);
    }

    int payloadOffset() {
        return offset + Rtnl.NLMSG_HDRLEN;
    }

    int end() {
        return offset + length();
    }

    ByteBuffer buffer() {
        return buffer;
    }

    static int align(int length) {
        return (length + 3) & ~3;
    }
}
