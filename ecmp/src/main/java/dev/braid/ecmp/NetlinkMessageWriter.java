package dev.braid.ecmp;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes one netlink request into a preallocated buffer (flyweight: no allocation per message).
 * {@link #begin} writes the 16-byte nlmsghdr, then one fixed family header ({@link #ifinfomsg},
 * {@link #ifaddrmsg}, {@link #rtmsg}, {@link #nhmsg}, {@link #fibRuleHdr}), then attributes
 * (type-length-value, each padded to 4 bytes; nests are opened and closed around their children);
 * {@link #finish} patches the total length. Numbers are in host byte order, as netlink wants, except addresses, which are bytes
 * in network order.
 */
final class NetlinkMessageWriter {
    private final ByteBuffer buffer;

    NetlinkMessageWriter(ByteBuffer buffer) {
        this.buffer = buffer.order(ByteOrder.nativeOrder());
    }

    ByteBuffer buffer() {
        return buffer;
    }

    NetlinkMessageWriter begin(int type, int flags, int sequence) {
        buffer.clear();
        buffer.putInt(0); // nlmsg_len, patched by finish()
        buffer.putShort((short) type);
        buffer.putShort((short) flags);
        buffer.putInt(sequence);
        buffer.putInt(0); // nlmsg_pid: 0 = to the kernel
        return this;
    }

    /** struct ifinfomsg: family, pad, type, index, flags, change. */
    NetlinkMessageWriter ifinfomsg(int family, int index, int flags, int change) {
        buffer.put((byte) family).put((byte) 0).putShort((short) 0);
        buffer.putInt(index).putInt(flags).putInt(change);
        return this;
    }

    /** struct ifaddrmsg: family, prefixlen, flags, scope, index. */
    NetlinkMessageWriter ifaddrmsg(int family, int prefixLength, int flags, int scope, int index) {
        buffer.put((byte) family).put((byte) prefixLength).put((byte) flags).put((byte) scope);
        buffer.putInt(index);
        return this;
    }

    /** struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags. */
    NetlinkMessageWriter rtmsg(int family, int dstLength, int table, int protocol, int scope, int type) {
        buffer.put((byte) family).put((byte) dstLength).put((byte) 0).put((byte) 0);
        buffer.put((byte) table).put((byte) protocol).put((byte) scope).put((byte) type);
        buffer.putInt(0);
        return this;
    }

    /** struct fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action, flags. */
    NetlinkMessageWriter fibRuleHdr(int family, int action) {
        buffer.put((byte) family).put((byte) 0).put((byte) 0).put((byte) 0);
        buffer.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) action);
        buffer.putInt(0);
        return this;
    }

    /** struct nhmsg: family, scope, protocol, reserved, flags. */
    NetlinkMessageWriter nhmsg(int family, int protocol) {
        buffer.put((byte) family).put((byte) 0).put((byte) protocol).put((byte) 0);
        buffer.putInt(0);
        return this;
    }

    NetlinkMessageWriter u8(int type, int value) {
        header(type, 1);
        buffer.put((byte) value);
        return pad();
    }

    NetlinkMessageWriter u16(int type, int value) {
        header(type, 2);
        buffer.putShort((short) value);
        return pad();
    }

    NetlinkMessageWriter u32(int type, int value) {
        header(type, 4);
        buffer.putInt(value);
        return this;
    }

    NetlinkMessageWriter bytes(int type, byte[] value) {
        header(type, value.length);
        buffer.put(value);
        return pad();
    }

    NetlinkMessageWriter address(int type, InetAddress address) {
        return bytes(type, address.getAddress());
    }

    /** A NUL-terminated string, as the kernel's NLA_STRING and NLA_NUL_STRING both accept. */
    NetlinkMessageWriter string(int type, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        header(type, b.length + 1);
        buffer.put(b).put((byte) 0);
        return pad();
    }

    /**
     * struct nexthop_grp entries, all of weight 1 (the kernel stores weight minus one, so the weight
     * byte is 0).
     */
    NetlinkMessageWriter nexthopGroup(int type, int[] memberIds) {
        header(type, memberIds.length * Rtnl.NEXTHOP_GRP_SIZE);
        for (int id : memberIds) {
            buffer.putInt(id).put((byte) 0).put((byte) 0).putShort((short) 0);
        }
        return this;
    }

    /** Opens a nested attribute; pass the returned position to {@link #endNested}. */
    int beginNested(int type) {
        int start = buffer.position();
        header(type | Rtnl.NLA_F_NESTED, 0);
        return start;
    }

    NetlinkMessageWriter endNested(int start) {
        buffer.putShort(start, (short) (buffer.position() - start));
        return this;
    }

    /** Patches nlmsg_len and flips the buffer for sending; returns the message length. */
    int finish() {
        int length = buffer.position();
        buffer.putInt(0, length);
        buffer.flip();
        return length;
    }

    private void header(int type, int valueLength) {
        buffer.putShort((short) (Rtnl.NLA_HDRLEN + valueLength));
        buffer.putShort((short) type);
    }

    private NetlinkMessageWriter pad() {
        while ((buffer.position() & 3) != 0) {
            buffer.put((byte) 0);
        }
        return this;
    }
}
