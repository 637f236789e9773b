package dev.braid.ecmp;

import static dev.braid.ecmp.Rtnl.*;

import java.net.InetAddress;
import java.util.List;

/**
 * Encodes each rtnetlink request Braid sends into a {@link NetlinkMessageWriter}. Pure functions of
 * their arguments (no socket), so the bytes can be checked in unit tests against what iproute2
 * sends for the same command. Each returns the message length.
 */
final class RtnlRequests {
    private RtnlRequests() {
    }

    static final int ACKED = NLM_F_REQUEST | NLM_F_ACK;
    static final int CREATE_EXCLUSIVE = ACKED | NLM_F_CREATE | NLM_F_EXCL;
    static final int CREATE_OR_REPLACE = ACKED | NLM_F_CREATE | NLM_F_REPLACE;
    static final int REPLACE_ONLY = ACKED | NLM_F_REPLACE;
    static final int DUMP = NLM_F_REQUEST | NLM_F_DUMP;

    // ---- links

    static int getLink(NetlinkMessageWriter w, int seq, String name) {
        return w.begin(RTM_GETLINK, NLM_F_REQUEST, seq).ifinfomsg(AF_UNSPEC, 0, 0, 0)
                .u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS).string(IFLA_IFNAME, name).finish();
    }

    static int dumpLinks(NetlinkMessageWriter w, int seq) {
        return w.begin(RTM_GETLINK, DUMP, seq).ifinfomsg(AF_UNSPEC, 0, 0, 0)
                .u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS).finish();
    }

    static int createLink(NetlinkMessageWriter w, int seq, String name, String kind) {
        w.begin(RTM_NEWLINK, CREATE_EXCLUSIVE, seq).ifinfomsg(AF_UNSPEC, 0, 0, 0).string(IFLA_IFNAME, name);
        int info = w.beginNested(IFLA_LINKINFO);
        w.string(IFLA_INFO_KIND, kind);
        return w.endNested(info).finish();
    }

    /** Changes only the flag bits set in {@code changeMask} (IFF_UP to bring a link up or down). */
    static int setLinkFlags(NetlinkMessageWriter w, int seq, int index, int flags, int changeMask) {
        return w.begin(RTM_NEWLINK, ACKED, seq).ifinfomsg(AF_UNSPEC, index, flags, changeMask).finish();
    }

    static int setMtu(NetlinkMessageWriter w, int seq, int index, int mtuBytes) {
        return w.begin(RTM_NEWLINK, ACKED, seq).ifinfomsg(AF_UNSPEC, index, 0, 0).u32(IFLA_MTU, mtuBytes).finish();
    }

    /** By name, so that a stale index can never delete another link. */
    static int deleteLink(NetlinkMessageWriter w, int seq, String name) {
        return w.begin(RTM_DELLINK, ACKED, seq).ifinfomsg(AF_UNSPEC, 0, 0, 0).string(IFLA_IFNAME, name).finish();
    }

    // ---- addresses

    /**
     * IFA_LOCAL and IFA_ADDRESS both carry the address, as iproute2 sends them for an address
     * without a peer. IPv6 addresses skip duplicate address detection so they are usable at once
     * (Braid's addresses are unique by plan).
     */
    static int address(NetlinkMessageWriter w, int seq, boolean add, int index, IpPrefix address) {
        int family = family(address);
        int flags = address.isIpv6() ? IFA_F_NODAD : 0;
        return w.begin(add ? RTM_NEWADDR : RTM_DELADDR, add ? CREATE_EXCLUSIVE : ACKED, seq)
                .ifaddrmsg(family, address.prefixLength(), flags, RT_SCOPE_UNIVERSE, index)
                .address(IFA_LOCAL, address.address()).address(IFA_ADDRESS, address.address()).finish();
    }

    static int dumpAddresses(NetlinkMessageWriter w, int seq, int index) {
        return w.begin(RTM_GETADDR, DUMP, seq).ifaddrmsg(AF_UNSPEC, 0, 0, 0, index).finish();
    }

    // ---- nexthops

    static int addDeviceNexthop(NetlinkMessageWriter w, int seq, int id, int family, int ifindex, int protocol) {
        return w.begin(RTM_NEWNEXTHOP, CREATE_EXCLUSIVE, seq).nhmsg(family, protocol)
                .u32(NHA_ID, id).u32(NHA_OIF, ifindex).finish();
    }

    /**
     * A resilient group. With {@code params}, creates the group or replaces it (the bucket count
     * must then match the existing one); without, replaces only the member list of an existing
     * group (NLM_F_REPLACE without NLM_F_CREATE: the kernel answers ENOENT when it is gone) and
     * keeps its buckets and timers.
     */
    static int resilientGroup(NetlinkMessageWriter w, int seq, int id, List<Integer> members,
                              ResilientParams params, int protocol) {
        int[] ids = members.stream().mapToInt(Integer::intValue).toArray();
        w.begin(RTM_NEWNEXTHOP, params == null ? REPLACE_ONLY : CREATE_OR_REPLACE, seq)
                .nhmsg(AF_UNSPEC, protocol).u32(NHA_ID, id).nexthopGroup(NHA_GROUP, ids);
        if (params != null) {
            int res = w.beginNested(NHA_RES_GROUP);
            w.u16(NHA_RES_GROUP_BUCKETS, params.buckets())
                    .u32(NHA_RES_GROUP_IDLE_TIMER, params.idleTimerClockTicks())
                    .u32(NHA_RES_GROUP_UNBALANCED_TIMER, params.unbalancedTimerClockTicks());
            w.endNested(res);
        }
        return w.u16(NHA_GROUP_TYPE, NEXTHOP_GRP_TYPE_RES).finish();
    }

    static int deleteNexthop(NetlinkMessageWriter w, int seq, int id) {
        return w.begin(RTM_DELNEXTHOP, ACKED, seq).nhmsg(AF_UNSPEC, 0).u32(NHA_ID, id).finish();
    }

    static int getNexthop(NetlinkMessageWriter w, int seq, int id) {
        return w.begin(RTM_GETNEXTHOP, NLM_F_REQUEST, seq).nhmsg(AF_UNSPEC, 0).u32(NHA_ID, id).finish();
    }

    static int dumpNexthops(NetlinkMessageWriter w, int seq) {
        return w.begin(RTM_GETNEXTHOP, DUMP, seq).nhmsg(AF_UNSPEC, 0).finish();
    }

    // ---- routes (the main table, or Braid's ICMP table)

    static int replaceRoute(NetlinkMessageWriter w, int seq, IpPrefix destination, int nexthopId,
                            InetAddress preferredSource, int protocol) {
        return replaceRoute(w, seq, RT_TABLE_MAIN, destination, nexthopId, preferredSource, protocol);
    }

    static int replaceRoute(NetlinkMessageWriter w, int seq, int table, IpPrefix destination, int nexthopId,
                            InetAddress preferredSource, int protocol) {
        w.begin(RTM_NEWROUTE, CREATE_OR_REPLACE, seq)
                .rtmsg(family(destination), destination.prefixLength(), headerTable(table), protocol,
                        RT_SCOPE_UNIVERSE, RTN_UNICAST);
        if (destination.prefixLength() > 0) {
            w.address(RTA_DST, destination.address());
        }
        w.u32(RTA_NH_ID, nexthopId);
        if (preferredSource != null) {
            w.address(RTA_PREFSRC, preferredSource);
        }
        return tableAttribute(w, table).finish();
    }

    /** An `unreachable` route: the kernel answers senders with ICMP unreachable (EHOSTUNREACH locally). */
    static int replaceUnreachableRoute(NetlinkMessageWriter w, int seq, IpPrefix destination, int protocol) {
        return replaceUnreachableRoute(w, seq, RT_TABLE_MAIN, destination, protocol);
    }

    static int replaceUnreachableRoute(NetlinkMessageWriter w, int seq, int table, IpPrefix destination,
                                       int protocol) {
        w.begin(RTM_NEWROUTE, CREATE_OR_REPLACE, seq)
                .rtmsg(family(destination), destination.prefixLength(), headerTable(table), protocol,
                        RT_SCOPE_UNIVERSE, RTN_UNREACHABLE);
        if (destination.prefixLength() > 0) {
            w.address(RTA_DST, destination.address());
        }
        return tableAttribute(w, table).finish();
    }

    /** Matches on destination, table and protocol: a route of another protocol is left alone. */
    static int deleteRoute(NetlinkMessageWriter w, int seq, IpPrefix destination, int protocol) {
        return deleteRoute(w, seq, RT_TABLE_MAIN, destination, protocol);
    }

    static int deleteRoute(NetlinkMessageWriter w, int seq, int table, IpPrefix destination, int protocol) {
        w.begin(RTM_DELROUTE, ACKED, seq).rtmsg(family(destination), destination.prefixLength(), headerTable(table),
                protocol, RT_SCOPE_NOWHERE, 0);
        if (destination.prefixLength() > 0) {
            w.address(RTA_DST, destination.address());
        }
        return tableAttribute(w, table).finish();
    }

    /** With strict checking on, the kernel filters by table and (when non-zero) protocol itself. */
    static int dumpRoutes(NetlinkMessageWriter w, int seq, int family, int protocol) {
        return dumpRoutes(w, seq, RT_TABLE_MAIN, family, protocol);
    }

    static int dumpRoutes(NetlinkMessageWriter w, int seq, int table, int family, int protocol) {
        w.begin(RTM_GETROUTE, DUMP, seq).rtmsg(family, 0, headerTable(table), protocol, 0, 0);
        return tableAttribute(w, table).finish();
    }

    /** rtm_table is a byte: tables above 255 go in RTA_TABLE with rtm_table 0, as iproute2 sends them. */
    private static int headerTable(int table) {
        return Integer.compareUnsigned(table, 256) < 0 ? table : RT_TABLE_UNSPEC;
    }

    private static NetlinkMessageWriter tableAttribute(NetlinkMessageWriter w, int table) {
        return Integer.compareUnsigned(table, 256) < 0 ? w : w.u32(RTA_TABLE, table);
    }

    // ---- policy rules

    /** "ip rule add ipproto P priority N table T protocol 98": exclusive, EEXIST when the same rule is there. */
    static int addRule(NetlinkMessageWriter w, int seq, ProtocolRule rule, int protocol) {
        return w.begin(RTM_NEWRULE, CREATE_EXCLUSIVE, seq).fibRuleHdr(rule.family(), FR_ACT_TO_TBL)
                .u8(FRA_IP_PROTO, rule.ipProtocol()).u32(FRA_PRIORITY, rule.priority()).u32(FRA_TABLE, rule.table())
                .u8(FRA_PROTOCOL, protocol).finish();
    }

    /** Deletes the rule matching every attribute given; ENOENT when there is none. */
    static int deleteRule(NetlinkMessageWriter w, int seq, ProtocolRule rule, int protocol) {
        return w.begin(RTM_DELRULE, ACKED, seq).fibRuleHdr(rule.family(), 0)
                .u8(FRA_IP_PROTO, rule.ipProtocol()).u32(FRA_PRIORITY, rule.priority()).u32(FRA_TABLE, rule.table())
                .u8(FRA_PROTOCOL, protocol).finish();
    }
}
