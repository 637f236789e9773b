package dev.braid.ecmp;

import static dev.braid.ecmp.Bytes.hex;
import static dev.braid.ecmp.Bytes.strace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Requests are compared byte for byte with what iproute2 6.1 sent for the same command (captured
 * with {@code strace -e sendmsg -xx ip ...} on x86_64; netlink numbers are host-endian, so these
 * expectations hold on little-endian machines, which is what Braid runs on).
 */
class RtnlRequestsTest {
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    private final NetlinkMessageWriter w = new NetlinkMessageWriter(buffer);

    private static final int REQUEST = 0x01;
    private static final int ACK = 0x04;

    private void assertMessage(int length, int type, int flags, String straceExpected) {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "expectations are little-endian");
        assertEquals(length, Bytes.headerLength(buffer), "nlmsg_len");
        assertEquals(type, Bytes.headerType(buffer), "nlmsg_type");
        assertEquals(flags, Bytes.headerFlags(buffer), "nlmsg_flags");
        assertEquals(77, Bytes.headerSeq(buffer), "nlmsg_seq");
        assertEquals(hex(strace(straceExpected)), hex(Bytes.payload(buffer, length)));
    }

    @Test
    void deviceNexthopMatchesIproute2() {
        // ip nexthop add id 1 dev t0 proto 98   (t0 = ifindex 2)
        int n = RtnlRequests.addDeviceNexthop(w, 77, 1, Rtnl.AF_INET, 2, 98);
        assertMessage(40, 104, REQUEST | ACK | 0x600, "\\x02\\x00\\x62\\x00\\x00\\x00\\x00\\x00\\x08\\x00\\x01\\x00"
                + "\\x01\\x00\\x00\\x00\\x08\\x00\\x05\\x00\\x02\\x00\\x00\\x00");
        assertEquals(40, n);
    }

    @Test
    void resilientGroupMatchesIproute2() {
        // ip nexthop add id 100 group 1/2/3 type resilient buckets 256 idle_timer 10 unbalanced_timer 0 proto 98
        // (iproute2 says CREATE|EXCL for "add"; Braid sends CREATE|REPLACE, the payload is the same)
        RtnlRequests.resilientGroup(w, 77, 100, List.of(1, 2, 3),
                new ResilientParams(256, Duration.ofSeconds(10), Duration.ZERO), 98);
        assertMessage(96, 104, REQUEST | ACK | 0x500, "\\x00\\x00\\x62\\x00\\x00\\x00\\x00\\x00\\x08\\x00\\x01\\x00"
                + "\\x64\\x00\\x00\\x00\\x1c\\x00\\x02\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x00\\x00"
                + "\\x00\\x00\\x00\\x00\\x03\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x1c\\x00\\x0c\\x80\\x06\\x00\\x01\\x00"
                + "\\x00\\x01\\x00\\x00\\x08\\x00\\x02\\x00\\xe8\\x03\\x00\\x00\\x08\\x00\\x03\\x00\\x00\\x00\\x00\\x00"
                + "\\x06\\x00\\x03\\x00\\x01\\x00\\x00\\x00");
    }

    @Test
    void memberOnlyReplaceKeepsParamsAndDoesNotCreate() {
        // ip nexthop replace id 200 group 1/2 type resilient proto 98 — iproute2 adds an empty
        // NHA_RES_GROUP nest, Braid leaves it out; both keep the group's buckets and timers
        int n = RtnlRequests.resilientGroup(w, 77, 200, List.of(1, 2), null, 98);
        assertMessage(n, 104, REQUEST | ACK | 0x100, "\\x00\\x00\\x62\\x00\\x00\\x00\\x00\\x00\\x08\\x00\\x01\\x00"
                + "\\xc8\\x00\\x00\\x00\\x14\\x00\\x02\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x00\\x00"
                + "\\x00\\x00\\x00\\x00\\x06\\x00\\x03\\x00\\x01\\x00\\x00\\x00");
        assertEquals(60, n);
    }

    @Test
    void deleteNexthopMatchesIproute2() {
        // ip nexthop del id 200
        RtnlRequests.deleteNexthop(w, 77, 200);
        assertMessage(32, 105, REQUEST | ACK, "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x08\\x00\\x01\\x00\\xc8\\x00\\x00\\x00");
    }

    @Test
    void routeReplaceWithSourceMatchesIproute2() {
        // ip route replace 192.168.20.0/24 nhid 1 src 10.0.55.1 proto 98
        RtnlRequests.replaceRoute(w, 77, IpPrefix.parse("192.168.20.0/24"), 1, IpPrefix.parseAddress("10.0.55.1"), 98);
        assertMessage(52, 24, REQUEST | ACK | 0x500, "\\x02\\x18\\x00\\x00\\xfe\\x62\\x00\\x01\\x00\\x00\\x00\\x00"
                + "\\x08\\x00\\x01\\x00\\xc0\\xa8\\x14\\x00\\x08\\x00\\x1e\\x00\\x01\\x00\\x00\\x00\\x08\\x00\\x07\\x00"
                + "\\x0a\\x00\\x37\\x01");
    }

    @Test
    void ipv6RouteMatchesIproute2() {
        // ip -6 route replace fd00:20::/64 nhid 11 proto 98
        RtnlRequests.replaceRoute(w, 77, IpPrefix.parse("fd00:20::/64"), 11, null, 98);
        assertMessage(56, 24, REQUEST | ACK | 0x500, "\\x0a\\x40\\x00\\x00\\xfe\\x62\\x00\\x01\\x00\\x00\\x00\\x00"
                + "\\x14\\x00\\x01\\x00\\xfd\\x00\\x00\\x20\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
                + "\\x08\\x00\\x1e\\x00\\x0b\\x00\\x00\\x00");
    }

    @Test
    void routeInAnotherTableMatchesIproute2() {
        // ip route replace 192.168.20.0/24 nhid 1 src 10.0.55.1 proto 98 table 2518200
        // (a table above 255 goes in RTA_TABLE, rtm_table 0)
        RtnlRequests.replaceRoute(w, 77, 2518200, IpPrefix.parse("192.168.20.0/24"), 1,
                IpPrefix.parseAddress("10.0.55.1"), 98);
        assertMessage(60, 24, REQUEST | ACK | 0x500, "\\x02\\x18\\x00\\x00\\x00\\x62\\x00\\x01\\x00\\x00\\x00\\x00"
                + "\\x08\\x00\\x01\\x00\\xc0\\xa8\\x14\\x00\\x08\\x00\\x1e\\x00\\x01\\x00\\x00\\x00\\x08\\x00\\x07\\x00"
                + "\\x0a\\x00\\x37\\x01\\x08\\x00\\x0f\\x00\\xb8\\x6c\\x26\\x00");
        // ip route replace unreachable 192.168.21.0/24 proto 98 table 2518200
        RtnlRequests.replaceUnreachableRoute(w, 77, 2518200, IpPrefix.parse("192.168.21.0/24"), 98);
        assertMessage(44, 24, REQUEST | ACK | 0x500, "\\x02\\x18\\x00\\x00\\x00\\x62\\x00\\x07\\x00\\x00\\x00\\x00"
                + "\\x08\\x00\\x01\\x00\\xc0\\xa8\\x15\\x00\\x08\\x00\\x0f\\x00\\xb8\\x6c\\x26\\x00");
        // ip route del 192.168.20.0/24 proto 98 table 2518200
        RtnlRequests.deleteRoute(w, 77, 2518200, IpPrefix.parse("192.168.20.0/24"), 98);
        assertMessage(44, 25, REQUEST | ACK, "\\x02\\x18\\x00\\x00\\x00\\x62\\xff\\x00\\x00\\x00\\x00\\x00"
                + "\\x08\\x00\\x01\\x00\\xc0\\xa8\\x14\\x00\\x08\\x00\\x0f\\x00\\xb8\\x6c\\x26\\x00");
    }

    @Test
    void icmpRulesMatchIproute2() {
        // ip rule add ipproto icmp priority 32700 table 2518200 protocol 98
        RtnlRequests.addRule(w, 77, ProtocolRule.icmp(false, 32700, 2518200), 98);
        assertMessage(60, 32, REQUEST | ACK | 0x600, "\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00"
                + "\\x05\\x00\\x16\\x00\\x01\\x00\\x00\\x00\\x08\\x00\\x06\\x00\\xbc\\x7f\\x00\\x00\\x08\\x00\\x0f\\x00"
                + "\\xb8\\x6c\\x26\\x00\\x05\\x00\\x15\\x00\\x62\\x00\\x00\\x00");
        // ip -6 rule add ipproto ipv6-icmp priority 32700 table 2518200 protocol 98
        RtnlRequests.addRule(w, 77, ProtocolRule.icmp(true, 32700, 2518200), 98);
        assertMessage(60, 32, REQUEST | ACK | 0x600, "\\x0a\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00"
                + "\\x05\\x00\\x16\\x00\\x3a\\x00\\x00\\x00\\x08\\x00\\x06\\x00\\xbc\\x7f\\x00\\x00\\x08\\x00\\x0f\\x00"
                + "\\xb8\\x6c\\x26\\x00\\x05\\x00\\x15\\x00\\x62\\x00\\x00\\x00");
        // ip rule del ipproto icmp priority 32700 table 2518200 protocol 98
        RtnlRequests.deleteRule(w, 77, ProtocolRule.icmp(false, 32700, 2518200), 98);
        assertMessage(60, 33, REQUEST | ACK, "\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
                + "\\x05\\x00\\x16\\x00\\x01\\x00\\x00\\x00\\x08\\x00\\x06\\x00\\xbc\\x7f\\x00\\x00\\x08\\x00\\x0f\\x00"
                + "\\xb8\\x6c\\x26\\x00\\x05\\x00\\x15\\x00\\x62\\x00\\x00\\x00");
    }

    @Test
    void routeDeleteMatchesIproute2() {
        // ip route del 192.168.20.0/24 proto 98
        RtnlRequests.deleteRoute(w, 77, IpPrefix.parse("192.168.20.0/24"), 98);
        assertMessage(36, 25, REQUEST | ACK, "\\x02\\x18\\x00\\x00\\xfe\\x62\\xff\\x00\\x00\\x00\\x00\\x00"
                + "\\x08\\x00\\x01\\x00\\xc0\\xa8\\x14\\x00");
    }

    @Test
    void addressAddMatchesIproute2() {
        // ip addr add 10.14.0.1/30 dev t0   (ifindex 2)
        RtnlRequests.address(w, 77, true, 2, IpPrefix.parse("10.14.0.1/30"));
        assertMessage(40, 20, REQUEST | ACK | 0x600, "\\x02\\x1e\\x00\\x00\\x02\\x00\\x00\\x00\\x08\\x00\\x02\\x00"
                + "\\x0a\\x0e\\x00\\x01\\x08\\x00\\x01\\x00\\x0a\\x0e\\x00\\x01");
    }

    @Test
    void ipv6AddressSkipsDuplicateDetection() {
        RtnlRequests.address(w, 77, true, 3, IpPrefix.parse("fd00::1/64"));
        assertEquals(Rtnl.AF_INET6, buffer.get(16));
        assertEquals(64, buffer.get(17));
        assertEquals(Rtnl.IFA_F_NODAD, buffer.get(18));
        assertEquals(3, buffer.getInt(20));
        RtnlRequests.address(w, 78, false, 3, IpPrefix.parse("fd00::1/64"));
        assertEquals(21, Bytes.headerType(buffer));
        assertEquals(REQUEST | ACK, Bytes.headerFlags(buffer));
    }

    @Test
    void linkMtuAndDownMatchIproute2() {
        // ip link set t0 mtu 1400
        RtnlRequests.setMtu(w, 77, 2, 1400);
        assertMessage(40, 16, REQUEST | ACK, "\\x00\\x00\\x00\\x00\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
                + "\\x08\\x00\\x04\\x00\\x78\\x05\\x00\\x00");
        // ip link set t0 down
        RtnlRequests.setLinkFlags(w, 77, 2, 0, Rtnl.IFF_UP);
        assertMessage(32, 16, REQUEST | ACK, "\\x00\\x00\\x00\\x00\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x00\\x00");
    }

    @Test
    void dummyLinkMatchesIproute2ButMarksTheNest() {
        // ip link add d0 type dummy — two differences the kernel accepts alike: iproute2 leaves
        // NLA_F_NESTED off IFLA_LINKINFO (0x0012, Braid 0x8012) and sends the kind without its NUL
        // (length 9, Braid 10)
        RtnlRequests.createLink(w, 77, "d0", "dummy");
        assertMessage(56, 16, REQUEST | ACK | 0x600, "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
                + "\\x00\\x00\\x00\\x00\\x07\\x00\\x03\\x00\\x64\\x30\\x00\\x00\\x10\\x00\\x12\\x80\\x0a\\x00\\x01\\x00"
                + "\\x64\\x75\\x6d\\x6d\\x79\\x00\\x00\\x00");
    }

    @Test
    void getLinkByNameMatchesIproute2() {
        // the lookup iproute2 does before "ip addr add ... dev t0", except that iproute2 asks for
        // RTEXT_FILTER_VF|RTEXT_FILTER_SKIP_STATS (9) and Braid for RTEXT_FILTER_SKIP_STATS (8) only
        RtnlRequests.getLink(w, 77, "t0");
        assertMessage(48, 18, REQUEST, "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
                + "\\x08\\x00\\x1d\\x00\\x08\\x00\\x00\\x00\\x07\\x00\\x03\\x00\\x74\\x30\\x00\\x00");
    }

    @Test
    void dumpsAskForDumps() {
        RtnlRequests.dumpRoutes(w, 77, Rtnl.AF_INET6, 98);
        assertEquals(26, Bytes.headerType(buffer));
        assertEquals(REQUEST | 0x300, Bytes.headerFlags(buffer));
        assertEquals(Rtnl.AF_INET6, buffer.get(16));
        assertEquals((byte) 254, buffer.get(20), "table filter");
        assertEquals(98, buffer.get(21), "protocol filter");
        RtnlRequests.dumpNexthops(w, 78);
        assertEquals(106, Bytes.headerType(buffer));
        assertEquals(24, Bytes.headerLength(buffer));
        assertTrue((Bytes.headerFlags(buffer) & 0x300) == 0x300);
    }
}
