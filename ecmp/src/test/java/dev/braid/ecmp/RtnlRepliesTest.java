package dev.braid.ecmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Replies are built here in the kernel's layout (the same TLV writer) and decoded. */
class RtnlRepliesTest {
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(8192).order(ByteOrder.nativeOrder());
    private final NetlinkMessageWriter w = new NetlinkMessageWriter(buffer);
    private final Map<Integer, String> names = Map.of(2, "t0", 3, "t1");

    private NetlinkMessageReader readOne(int length) {
        NetlinkMessageReader r = new NetlinkMessageReader().wrap(buffer, length);
        assertTrue(r.next());
        return r;
    }

    @Test
    void decodesLinkWithKindCarrierAndUnknownAttributes() {
        w.begin(Rtnl.RTM_NEWLINK, 0, 1).ifinfomsg(Rtnl.AF_UNSPEC, 7, Rtnl.IFF_UP | Rtnl.IFF_POINTOPOINT, 0);
        w.bytes(250, new byte[] {1, 2, 3}); // an attribute from a newer kernel
        w.string(Rtnl.IFLA_IFNAME, "braid-t3").u32(Rtnl.IFLA_MTU, 1420).u8(Rtnl.IFLA_CARRIER, 0);
        int info = w.beginNested(Rtnl.IFLA_LINKINFO);
        w.string(Rtnl.IFLA_INFO_KIND, "tun");
        w.endNested(info);
        LinkInfo l = RtnlReplies.link(readOne(w.finish()));
        assertEquals(new LinkInfo(7, "braid-t3", "tun", Rtnl.IFF_UP | Rtnl.IFF_POINTOPOINT, 1420, false), l);
        assertTrue(l.isUp());
        assertFalse(l.isLowerUp());
    }

    @Test
    void linkWithoutCarrierAttributeFallsBackToLowerUp() {
        w.begin(Rtnl.RTM_NEWLINK, 0, 1).ifinfomsg(Rtnl.AF_UNSPEC, 1, Rtnl.IFF_UP | Rtnl.IFF_LOWER_UP, 0)
                .string(Rtnl.IFLA_IFNAME, "lo");
        LinkInfo l = RtnlReplies.link(readOne(w.finish()));
        assertTrue(l.carrier());
        assertEquals("", l.kind());
    }

    @Test
    void decodesResilientGroupWithWeightsAndTimers() {
        w.begin(Rtnl.RTM_NEWNEXTHOP, 0, 1).nhmsg(Rtnl.AF_UNSPEC, 98).u32(Rtnl.NHA_ID, 100);
        // members 1 and 2 of weight 1, member 3 of weight 5 (stored as 4)
        ByteBuffer g = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
        g.putInt(1).putInt(0).putInt(2).putInt(0).putInt(3).put((byte) 4).put((byte) 0).putShort((short) 0);
        w.bytes(Rtnl.NHA_GROUP, g.array());
        w.u16(Rtnl.NHA_GROUP_TYPE, Rtnl.NEXTHOP_GRP_TYPE_RES);
        int res = w.beginNested(Rtnl.NHA_RES_GROUP);
        w.u16(Rtnl.NHA_RES_GROUP_BUCKETS, 256).u32(Rtnl.NHA_RES_GROUP_IDLE_TIMER, 1000)
                .u32(Rtnl.NHA_RES_GROUP_UNBALANCED_TIMER, 30).bytes(Rtnl.NHA_RES_GROUP_UNBALANCED_TIME, new byte[8]);
        w.endNested(res);
        NexthopInfo n = RtnlReplies.nexthop(readOne(w.finish()), names::get);
        assertEquals(100, n.id());
        assertEquals(98, n.protocol());
        assertEquals(NexthopInfo.GroupType.RESILIENT, n.groupType());
        assertEquals(List.of(new NexthopInfo.Member(1, 1), new NexthopInfo.Member(2, 1), new NexthopInfo.Member(3, 5)),
                n.members());
        assertEquals(Optional.of(new ResilientParams(256, Duration.ofSeconds(10), Duration.ofMillis(300))),
                n.resilient());
        assertEquals("id 100 group 1/2/3,5 type resilient buckets 256 idle_timer 10.0s unbalanced_timer 0.3s proto 98",
                n.toString());
    }

    @Test
    void decodesDeviceNexthopWithFlags() {
        w.begin(Rtnl.RTM_NEWNEXTHOP, 0, 1);
        w.buffer().put((byte) Rtnl.AF_INET6).put((byte) Rtnl.RT_SCOPE_LINK).put((byte) 98).put((byte) 0)
                .putInt(Rtnl.RTNH_F_LINKDOWN);
        w.u32(Rtnl.NHA_ID, 1000001).u32(Rtnl.NHA_OIF, 3);
        NexthopInfo n = RtnlReplies.nexthop(readOne(w.finish()), names::get);
        assertEquals(1000001, n.id());
        assertEquals(Rtnl.AF_INET6, n.family());
        assertEquals("t1", n.ifname());
        assertFalse(n.isGroup());
        assertTrue(n.members().isEmpty());
        assertEquals("id 1000001 dev t1 (ipv6) proto 98 linkdown", n.toString());
    }

    @Test
    void decodesRouteViaGroupWithMultipath() {
        w.begin(Rtnl.RTM_NEWROUTE, 0, 1).rtmsg(Rtnl.AF_INET, 24, Rtnl.RT_TABLE_MAIN, 98, 0, Rtnl.RTN_UNICAST)
                .u32(Rtnl.RTA_TABLE, Rtnl.RT_TABLE_MAIN)
                .address(Rtnl.RTA_DST, IpPrefix.parseAddress("192.168.20.0"))
                .u32(Rtnl.RTA_NH_ID, 100)
                .address(Rtnl.RTA_PREFSRC, IpPrefix.parseAddress("10.0.55.1"));
        ByteBuffer mp = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        mp.putShort((short) 8).put((byte) 0).put((byte) 0).putInt(2);
        mp.putShort((short) 8).put((byte) (Rtnl.RTNH_F_LINKDOWN | Rtnl.RTNH_F_DEAD)).put((byte) 1).putInt(3);
        w.bytes(Rtnl.RTA_MULTIPATH, mp.array());
        RouteInfo r = RtnlReplies.route(readOne(w.finish()), names::get);
        assertEquals(IpPrefix.parse("192.168.20.0/24"), r.destination());
        assertEquals(100, r.nexthopId());
        assertEquals(Optional.of(IpPrefix.parseAddress("10.0.55.1")), r.preferredSource());
        assertEquals(List.of(new RouteInfo.Path(2, "t0", 1, 0),
                new RouteInfo.Path(3, "t1", 2, Rtnl.RTNH_F_LINKDOWN | Rtnl.RTNH_F_DEAD)), r.paths());
        assertTrue(r.paths().get(1).isDead());
    }

    @Test
    void defaultRouteHasZeroDestination() {
        w.begin(Rtnl.RTM_NEWROUTE, 0, 1).rtmsg(Rtnl.AF_INET6, 0, Rtnl.RT_TABLE_MAIN, 4, 0, Rtnl.RTN_UNICAST)
                .u32(Rtnl.RTA_OIF, 2);
        RouteInfo r = RtnlReplies.route(readOne(w.finish()), names::get);
        assertEquals(IpPrefix.parse("::/0"), r.destination());
        assertEquals(2, r.ifindex());
    }

    @Test
    void addressPrefersLocalOverPeer() {
        w.begin(Rtnl.RTM_NEWADDR, 0, 1).ifaddrmsg(Rtnl.AF_INET, 30, 0, 0, 2)
                .address(Rtnl.IFA_ADDRESS, IpPrefix.parseAddress("10.14.0.2"))
                .address(Rtnl.IFA_LOCAL, IpPrefix.parseAddress("10.14.0.1"));
        RtnlReplies.Address a = RtnlReplies.address(readOne(w.finish()));
        assertEquals(2, a.index());
        assertEquals(IpPrefix.parse("10.14.0.1/30"), a.prefix());
        w.begin(Rtnl.RTM_NEWADDR, 0, 1).ifaddrmsg(Rtnl.AF_INET6, 64, 0, 0, 3)
                .address(Rtnl.IFA_ADDRESS, IpPrefix.parseAddress("fd00::1"));
        assertEquals(IpPrefix.parse("fd00::1/64"), RtnlReplies.address(readOne(w.finish())).prefix());
    }

    @Test
    void errorWithCappedEchoCarriesTheKernelsReason() {
        w.begin(Rtnl.NLMSG_ERROR, Rtnl.NLM_F_CAPPED | Rtnl.NLM_F_ACK_TLVS, 1);
        ByteBuffer b = w.buffer();
        b.putInt(-Errno.ENETDOWN);
        b.putInt(40).putShort((short) Rtnl.RTM_NEWNEXTHOP).putShort((short) 0x605).putInt(1).putInt(0); // echoed header
        w.string(Rtnl.NLMSGERR_ATTR_MSG, "Carrier for nexthop device is down").u32(Rtnl.NLMSGERR_ATTR_OFFS, 28);
        RtnlReplies.Error e = RtnlReplies.error(readOne(w.finish()));
        assertEquals(Errno.ENETDOWN, e.errno());
        assertEquals("Carrier for nexthop device is down", e.message());
    }

    @Test
    void errorWithFullEchoSkipsTheEchoedRequest() {
        w.begin(Rtnl.NLMSG_ERROR, Rtnl.NLM_F_ACK_TLVS, 1);
        ByteBuffer b = w.buffer();
        b.putInt(-Errno.EINVAL);
        b.putInt(22).putShort((short) 24).putShort((short) 5).putInt(1).putInt(0); // 22-byte request echoed
        b.put("abcdef".getBytes(StandardCharsets.US_ASCII)).put(new byte[2]); // its payload, padded to 24
        w.string(Rtnl.NLMSGERR_ATTR_MSG, "Invalid prefsrc address");
        RtnlReplies.Error e = RtnlReplies.error(readOne(w.finish()));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("Invalid prefsrc address", e.message());
    }

    @Test
    void ackIsErrnoZero() {
        w.begin(Rtnl.NLMSG_ERROR, Rtnl.NLM_F_CAPPED, 1);
        w.buffer().putInt(0).putInt(32).putInt(0).putInt(1).putInt(0);
        RtnlReplies.Error e = RtnlReplies.error(readOne(w.finish()));
        assertEquals(0, e.errno());
        assertEquals("", e.message());
    }

    @Test
    void doneOfFailedDumpCarriesErrnoAndMessage() {
        w.begin(Rtnl.NLMSG_DONE, Rtnl.NLM_F_MULTI | Rtnl.NLM_F_ACK_TLVS, 1);
        w.buffer().putInt(-Errno.EINVAL);
        w.string(Rtnl.NLMSGERR_ATTR_MSG, "Invalid values in header for nexthop dump request");
        RtnlReplies.Error e = RtnlReplies.done(readOne(w.finish()));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.message().startsWith("Invalid values"));
    }

    @Test
    void readersStopAtMalformedLengthsInsteadOfOverrunning() {
        // two messages in one datagram, the second claiming more bytes than arrived
        w.begin(Rtnl.RTM_NEWLINK, 0, 1).ifinfomsg(0, 1, 0, 0);
        int first = w.finish();
        buffer.limit(buffer.capacity());
        buffer.position(first);
        buffer.putInt(4096).putShort((short) Rtnl.RTM_NEWLINK).putShort((short) 0).putInt(1).putInt(0);
        NetlinkMessageReader r = new NetlinkMessageReader().wrap(buffer, first + 16);
        assertTrue(r.next());
        assertFalse(r.next());
        // an attribute whose length runs past its message
        ByteBuffer a = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        a.putShort((short) 8).putShort((short) 3).putInt(42).putShort((short) 200).putShort((short) 4);
        AttributeReader ar = new AttributeReader().wrap(a, 0, 12);
        assertTrue(ar.next());
        assertEquals(42, ar.u32());
        assertFalse(ar.next());
        AttributeReader tiny = new AttributeReader().wrap(a, 0, 3);
        assertFalse(tiny.next());
        assertNull(RtnlReplies.address(readOneAddressWithout()));
    }

    private NetlinkMessageReader readOneAddressWithout() {
        buffer.clear();
        w.begin(Rtnl.RTM_NEWADDR, 0, 1).ifaddrmsg(Rtnl.AF_INET, 32, 0, 0, 1);
        return readOne(w.finish());
    }
}
