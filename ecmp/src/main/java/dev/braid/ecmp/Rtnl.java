package dev.braid.ecmp;

/**
 * Numbers of the rtnetlink wire protocol, taken from the kernel's uapi headers (named beside each
 * group). These are kernel ABI: they never change once released, which is why copying them here is
 * safe. Only what Braid sends or reads is listed.
 */
final class Rtnl {
    private Rtnl() {
    }

    // <linux/socket.h>, <sys/socket.h>
    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20; // SO_RCVTIMEO_OLD: struct timeval of native longs
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int MSG_TRUNC = 0x20;
    static final int SOL_NETLINK = 270;

    // <linux/netlink.h>
    static final int NETLINK_ROUTE = 0;
    static final int NETLINK_CAP_ACK = 10;
    static final int NETLINK_EXT_ACK = 11;
    static final int NETLINK_GET_STRICT_CHK = 12;

    static final int NLMSG_HDRLEN = 16;
    static final int NLA_HDRLEN = 4;
    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSG_OVERRUN = 4;

    static final int NLM_F_REQUEST = 0x01;
    static final int NLM_F_MULTI = 0x02;
    static final int NLM_F_ACK = 0x04;
    static final int NLM_F_DUMP_INTR = 0x10;
    static final int NLM_F_ROOT = 0x100;
    static final int NLM_F_MATCH = 0x200;
    static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    static final int NLM_F_REPLACE = 0x100;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    // flags of an NLMSG_ERROR reply
    static final int NLM_F_CAPPED = 0x100;
    static final int NLM_F_ACK_TLVS = 0x200;

    static final int NLA_F_NESTED = 1 << 15;
    static final int NLA_F_NET_BYTEORDER = 1 << 14;
    static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    // enum nlmsgerr_attrs
    static final int NLMSGERR_ATTR_MSG = 1;
    static final int NLMSGERR_ATTR_OFFS = 2;

    // <linux/rtnetlink.h> message types
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;
    static final int RTM_NEWROUTE = 24;
    static final int RTM_DELROUTE = 25;
    static final int RTM_GETROUTE = 26;
    static final int RTM_NEWRULE = 32;
    static final int RTM_DELRULE = 33;
    static final int RTM_GETRULE = 34;
    static final int RTM_NEWNEXTHOP = 104;
    static final int RTM_DELNEXTHOP = 105;
    static final int RTM_GETNEXTHOP = 106;

    // <linux/rtnetlink.h> struct rtmsg values
    static final int RTN_UNICAST = 1;
    static final int RTN_UNREACHABLE = 7;
    static final int RT_SCOPE_UNIVERSE = 0;
    static final int RT_SCOPE_LINK = 253;
    static final int RT_SCOPE_HOST = 254;
    static final int RT_SCOPE_NOWHERE = 255;
    static final int RT_TABLE_UNSPEC = 0;
    static final int RT_TABLE_MAIN = 254;
    static final int RTPROT_UNSPEC = 0;
    static final int RTPROT_KERNEL = 2;
    static final int RTPROT_STATIC = 4;

    // enum rtattr_type_t
    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_PRIORITY = 6;
    static final int RTA_PREFSRC = 7;
    static final int RTA_MULTIPATH = 9;
    static final int RTA_TABLE = 15;
    static final int RTA_NH_ID = 30;

    // <linux/fib_rules.h>: struct fib_rule_hdr action and attributes
    static final int FR_ACT_TO_TBL = 1;
    static final int FRA_PRIORITY = 6;
    static final int FRA_TABLE = 15;
    static final int FRA_PROTOCOL = 21;
    static final int FRA_IP_PROTO = 22;

    // <netinet/in.h>
    static final int IPPROTO_ICMP = 1;
    static final int IPPROTO_ICMPV6 = 58;

    // struct rtnexthop flags
    static final int RTNH_F_DEAD = 1;
    static final int RTNH_F_ONLINK = 4;
    static final int RTNH_F_LINKDOWN = 16;

    // <linux/if_link.h>
    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_OPERSTATE = 16;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_EXT_MASK = 29;
    static final int IFLA_CARRIER = 33;
    static final int IFLA_INFO_KIND = 1;
    static final int RTEXT_FILTER_SKIP_STATS = 1 << 3; // <linux/rtnetlink.h>

    // <linux/if.h>
    static final int IFF_UP = 1;
    static final int IFF_LOOPBACK = 1 << 3;
    static final int IFF_POINTOPOINT = 1 << 4;
    static final int IFF_RUNNING = 1 << 6;
    static final int IFF_NOARP = 1 << 7;
    static final int IFF_LOWER_UP = 1 << 16;

    // <linux/if_addr.h>
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_FLAGS = 8;
    static final int IFA_F_NODAD = 0x02;
    static final int IFA_F_PERMANENT = 0x80;

    // <linux/nexthop.h>
    static final int NHA_ID = 1;
    static final int NHA_GROUP = 2;
    static final int NHA_GROUP_TYPE = 3;
    static final int NHA_BLACKHOLE = 4;
    static final int NHA_OIF = 5;
    static final int NHA_GATEWAY = 6;
    static final int NHA_RES_GROUP = 12;
    static final int NEXTHOP_GRP_TYPE_MPATH = 0;
    static final int NEXTHOP_GRP_TYPE_RES = 1;
    static final int NHA_RES_GROUP_BUCKETS = 1;
    static final int NHA_RES_GROUP_IDLE_TIMER = 2;
    static final int NHA_RES_GROUP_UNBALANCED_TIMER = 3;
    static final int NHA_RES_GROUP_UNBALANCED_TIME = 4;
    /** struct nexthop_grp: u32 id, u8 weight-1, u8 + u16 reserved. */
    static final int NEXTHOP_GRP_SIZE = 8;

    /** USER_HZ: the kernel's clock_t unit in netlink attributes (centiseconds). */
    static final int USER_HZ = 100;

    // fixed header sizes
    static final int IFINFOMSG_SIZE = 16;
    static final int IFADDRMSG_SIZE = 8;
    static final int RTMSG_SIZE = 12;
    static final int NHMSG_SIZE = 8;
    static final int FIB_RULE_HDR_SIZE = 12;

    static String messageTypeName(int type) {
        return switch (type) {
            case RTM_NEWLINK -> "RTM_NEWLINK";
            case RTM_DELLINK -> "RTM_DELLINK";
            case RTM_GETLINK -> "RTM_GETLINK";
            case RTM_NEWADDR -> "RTM_NEWADDR";
            case RTM_DELADDR -> "RTM_DELADDR";
            case RTM_GETADDR -> "RTM_GETADDR";
            case RTM_NEWROUTE -> "RTM_NEWROUTE";
            case RTM_DELROUTE -> "RTM_DELROUTE";
            case RTM_GETROUTE -> "RTM_GETROUTE";
            case RTM_NEWRULE -> "RTM_NEWRULE";
            case RTM_DELRULE -> "RTM_DELRULE";
            case RTM_GETRULE -> "RTM_GETRULE";
            case RTM_NEWNEXTHOP -> "RTM_NEWNEXTHOP";
            case RTM_DELNEXTHOP -> "RTM_DELNEXTHOP";
            case RTM_GETNEXTHOP -> "RTM_GETNEXTHOP";
            default -> "message type " + type;
        };
    }

    static int family(IpPrefix p) {
        return p.isIpv4() ? AF_INET : AF_INET6;
    }
}
