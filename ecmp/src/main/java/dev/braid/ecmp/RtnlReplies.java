package dev.braid.ecmp;

import static dev.braid.ecmp.Rtnl.*;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Decodes the kernel's rtnetlink replies — links, addresses, nexthops, routes, errors — from the
 * current message of a {@link NetlinkMessageReader} into records. Pure functions of the bytes, so
 * unit tests feed them hand-built or captured messages. Unknown attributes are skipped: newer
 * kernels add attributes, never change old ones.
 */
final class RtnlReplies {
    private RtnlReplies() {
    }

    /** An NLMSG_ERROR reply: errno 0 is an ack. */
    record Error(int errno, String message) {
    }

    static Error error(NetlinkMessageReader m) {
        ByteBuffer b = m.buffer();
        int payload = m.payloadOffset();
        if (m.end() - payload < 4) {
            return new Error(Errno.EIO, "truncated error reply");
        }
        int errno = -b.getInt(payload);
        String message = "";
        if ((m.flags() & NLM_F_ACK_TLVS) != 0 && m.end() - payload >= 4 + NLMSG_HDRLEN) {
            int echoedLength = b.getInt(payload + 4);
            int tlvStart = payload + 4 + ((m.flags() & NLM_F_CAPPED) != 0
                    ? NLMSG_HDRLEN : NetlinkMessageReader.align(echoedLength));
            AttributeReader a = new AttributeReader().wrap(b, tlvStart, m.end());
            while (a.next()) {
                if (a.type() == NLMSGERR_ATTR_MSG) {
                    message = a.string();
                }
            }
        }
        return new Error(errno, message);
    }

    /**
     * NLMSG_DONE of a dump carries an int, a negative errno when the dump failed midway, followed
     * by extended-ack attributes when NLM_F_ACK_TLVS is set.
     */
    static Error done(NetlinkMessageReader m) {
        ByteBuffer b = m.buffer();
        int payload = m.payloadOffset();
        if (m.end() - payload < 4) {
            return new Error(0, "");
        }
        int errno = -b.getInt(payload);
        String message = "";
        if ((m.flags() & NLM_F_ACK_TLVS) != 0) {
            AttributeReader a = new AttributeReader().wrap(b, payload + 4, m.end());
            while (a.next()) {
                if (a.type() == NLMSGERR_ATTR_MSG) {
                    message = a.string();
                }
            }
        }
        return new Error(errno, message);
    }

    static LinkInfo link(NetlinkMessageReader m) {
        ByteBuffer b = m.buffer();
        int p = m.payloadOffset();
        int index = b.getInt(p + 4);
        int flags = b.getInt(p + 8);
        String name = "";
        String kind = "";
        int mtu = 0;
        Boolean carrier = null;
        AttributeReader a = new AttributeReader().wrap(b, p + IFINFOMSG_SIZE, m.end());
        while (a.next()) {
            switch (a.type()) {
                case IFLA_IFNAME -> name = a.string();
                case IFLA_MTU -> mtu = a.u32();
                case IFLA_CARRIER -> carrier = a.u8() != 0;
                case IFLA_LINKINFO -> {
                    AttributeReader info = a.nested();
                    while (info.next()) {
                        if (info.type() == IFLA_INFO_KIND) {
                            kind = info.string();
                        }
                    }
                }
                default -> {
                }
            }
        }
        boolean hasCarrier = carrier != null ? carrier : (flags & IFF_LOWER_UP) != 0;
        return new LinkInfo(index, name, kind, flags, mtu, hasCarrier);
    }

    /** An address reply: the link index and the address with its prefix length. */
    record Address(int index, IpPrefix prefix) {
    }

    static Address address(NetlinkMessageReader m) {
        ByteBuffer b = m.buffer();
        int p = m.payloadOffset();
        int prefixLength = b.get(p + 1) & 0xff;
        int index = b.getInt(p + 4);
        InetAddress local = null;
        InetAddress address = null;
        AttributeReader a = new AttributeReader().wrap(b, p + IFADDRMSG_SIZE, m.end());
        while (a.next()) {
            switch (a.type()) {
                case IFA_LOCAL -> local = a.address();
                case IFA_ADDRESS -> address = a.address();
                default -> {
                }
            }
        }
        // on point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is ours when present
        InetAddress ours = local != null ? local : address;
        return ours == null ? null : new Address(index, new IpPrefix(ours, prefixLength));
    }

    static NexthopInfo nexthop(NetlinkMessageReader m, IntFunction<String> ifnames) {
        ByteBuffer b = m.buffer();
        int p = m.payloadOffset();
        int family = b.get(p) & 0xff;
        int protocol = b.get(p + 2) & 0xff;
        int flags = b.getInt(p + 4);
        int id = 0;
        int ifindex = 0;
        InetAddress gateway = null;
        List<NexthopInfo.Member> members = new ArrayList<>();
        boolean group = false;
        int groupType = NEXTHOP_GRP_TYPE_MPATH;
        int buckets = -1;
        long idle = 0;
        long unbalanced = 0;
        AttributeReader a = new AttributeReader().wrap(b, p + NHMSG_SIZE, m.end());
        while (a.next()) {
            switch (a.type()) {
                case NHA_ID -> id = a.u32();
                case NHA_OIF -> ifindex = a.u32();
                case NHA_GATEWAY -> gateway = a.address();
                case NHA_GROUP -> {
                    group = true;
                    for (int o = a.valueOffset(); o + NEXTHOP_GRP_SIZE <= a.valueOffset() + a.valueLength();
                         o += NEXTHOP_GRP_SIZE) {
                        // weight is stored minus one; newer kernels keep the high byte in resvd1
                        int weight = ((b.get(o + 4) & 0xff) | ((b.get(o + 5) & 0xff) << 8)) + 1;
                        members.add(new NexthopInfo.Member(b.getInt(o), weight));
                    }
                }
                case NHA_GROUP_TYPE -> groupType = a.u16();
                case NHA_RES_GROUP -> {
                    AttributeReader r = a.nested();
                    while (r.next()) {
                        switch (r.type()) {
                            case NHA_RES_GROUP_BUCKETS -> buckets = r.u16();
                            case NHA_RES_GROUP_IDLE_TIMER -> idle = Integer.toUnsignedLong(r.u32());
                            case NHA_RES_GROUP_UNBALANCED_TIMER -> unbalanced = Integer.toUnsignedLong(r.u32());
                            default -> {
                            }
                        }
                    }
                }
                default -> {
                }
            }
        }
        NexthopInfo.GroupType type = !group ? NexthopInfo.GroupType.NONE
                : groupType == NEXTHOP_GRP_TYPE_RES ? NexthopInfo.GroupType.RESILIENT : NexthopInfo.GroupType.MULTIPATH;
        Optional<ResilientParams> res = type == NexthopInfo.GroupType.RESILIENT && buckets > 0
                ? Optional.of(new ResilientParams(buckets, ResilientParams.fromClockTicks(idle),
                ResilientParams.fromClockTicks(unbalanced)))
                : Optional.empty();
        String ifname = ifindex == 0 ? "" : ifnames.apply(ifindex);
        return new NexthopInfo(id, family, protocol, flags, ifindex, ifname == null ? "" : ifname,
                Optional.ofNullable(gateway), type, members, res);
    }

    static RouteInfo route(NetlinkMessageReader m, IntFunction<String> ifnames) {
        ByteBuffer b = m.buffer();
        int p = m.payloadOffset();
        int family = b.get(p) & 0xff;
        int dstLength = b.get(p + 1) & 0xff;
        int table = b.get(p + 4) & 0xff;
        int protocol = b.get(p + 5) & 0xff;
        int type = b.get(p + 7) & 0xff;
        InetAddress dst = null;
        InetAddress prefSrc = null;
        InetAddress gateway = null;
        int oif = 0;
        int nhid = 0;
        List<RouteInfo.Path> paths = new ArrayList<>();
        AttributeReader a = new AttributeReader().wrap(b, p + RTMSG_SIZE, m.end());
        while (a.next()) {
            switch (a.type()) {
                case RTA_DST -> dst = a.address();
                case RTA_PREFSRC -> prefSrc = a.address();
                case RTA_GATEWAY -> gateway = a.address();
                case RTA_OIF -> oif = a.u32();
                case RTA_NH_ID -> nhid = a.u32();
                case RTA_TABLE -> table = a.u32();
                case RTA_MULTIPATH -> multipath(b, a.valueOffset(), a.valueOffset() + a.valueLength(), ifnames, paths);
                default -> {
                }
            }
        }
        if (dst == null) {
            dst = IpLiteral.toAddress(new byte[family == AF_INET6 ? 16 : 4]);
        }
        String oifName = oif == 0 ? null : ifnames.apply(oif);
        return new RouteInfo(new IpPrefix(dst, dstLength), table, protocol, type, nhid,
                Optional.ofNullable(prefSrc), oif, oifName == null ? "" : oifName, Optional.ofNullable(gateway), paths);
    }

    /** struct rtnexthop { u16 len; u8 flags; u8 hops (weight - 1); s32 ifindex; } + attributes. */
    private static void multipath(ByteBuffer b, int start, int end, IntFunction<String> ifnames,
                                  List<RouteInfo.Path> out) {
        int o = start;
        while (o + 8 <= end) {
            int length = b.getShort(o) & 0xffff;
            if (length < 8 || o + length > end) {
                return;
            }
            int flags = b.get(o + 2) & 0xff;
            int weight = (b.get(o + 3) & 0xff) + 1;
            int ifindex = b.getInt(o + 4);
            String name = ifnames.apply(ifindex);
            out.add(new RouteInfo.Path(ifindex, name == null ? "" : name, weight, flags));
            o += NetlinkMessageReader.align(length);
        }
    }
}
