package dev.braid.ecmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.braid.ecmp.lab.Netns;
import dev.braid.ecmp.lab.TunCarrier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link Netlink} against the real kernel, inside a namespace made for each test (never the root
 * namespace). Three persistent TUNs t0..t2; {@link TunCarrier} holds them open where a test needs
 * carrier. Each claim is checked through Braid's own dump and through {@code ip}.
 */
@Tag("netns")
class NetlinkNetnsTest {
    private static final int BRAID = Netlink.RTPROT_BRAID;
    private static final ResilientParams PARAMS = new ResilientParams(64, Duration.ofSeconds(10), Duration.ZERO);

    private Netns ns;
    private Netlink nl;

    @BeforeAll
    static void sweep() {
        Netns.sweepStale();
    }

    @BeforeEach
    void setUp() {
        ns = Netns.create("nl");
        for (String t : List.of("t0", "t1", "t2")) {
            ns.ip("tuntap", "add", "mode", "tun", "name", t);
        }
        nl = Netlink.openIn(ns.name());
    }

    @AfterEach
    void tearDown() {
        try {
            if (nl != null) {
                nl.close();
            }
        } finally {
            ns.close();
        }
    }

    @Test
    void dummyIsCreatedOrRefusedWithASpecificException() {
        try {
            nl.createDummy("braid0");
            assertEquals("dummy", nl.link("braid0").orElseThrow().kind());
            nl.deleteLink("braid0");
        } catch (LinkTypeUnsupportedException e) {
            // this build machine's kernel: no dummy module
            assertEquals("dummy", e.kind());
            assertEquals(Errno.EOPNOTSUPP, e.errno());
            assertTrue(e.getMessage().contains("Unknown device type"), e.getMessage());
        }
        assertTrue(nl.link("braid0").isEmpty());
    }

    @Test
    void linksCarryKindFlagsMtuAndCarrier() {
        LinkInfo lo = nl.link("lo").orElseThrow();
        assertEquals(1, lo.index());
        assertTrue(lo.isLoopback() && lo.isUp());
        LinkInfo t0 = nl.link("t0").orElseThrow();
        assertEquals("tun", t0.kind());
        assertFalse(t0.isUp());
        assertFalse(t0.carrier());
        nl.setMtu("t0", 1420);
        nl.setUp("t0", true);
        t0 = nl.link("t0").orElseThrow();
        assertEquals(1420, t0.mtuBytes());
        assertTrue(t0.isUp());
        assertTrue(ns.ip("link", "show", "t0").stdout().contains("mtu 1420"));
        try (TunCarrier c = TunCarrier.attach(ns.name(), "t0")) {
            assertTrue(nl.link("t0").orElseThrow().carrier(), "a process holds the TUN: carrier");
        }
        assertFalse(nl.link("t0").orElseThrow().carrier());
        assertEquals(List.of("lo", "t0", "t1", "t2"), nl.links().stream().map(LinkInfo::name).sorted().toList());
        assertTrue(nl.linkIndex("nope").isEmpty());
        NetlinkException e = assertThrows(NetlinkException.class, () -> nl.deleteLink("nope"));
        assertEquals(Errno.ENODEV, e.errno());
        assertTrue(e.isAlreadyGone());
    }

    @Test
    void addressesAddListDelete() {
        IpPrefix v4 = IpPrefix.parse("10.14.0.1/30");
        IpPrefix v6 = IpPrefix.parse("fd00:14::1/126");
        nl.setUp("t0", true);
        nl.addAddress("t0", v4);
        nl.addAddress("t0", v6);
        assertTrue(nl.addresses("t0").containsAll(List.of(v4, v6)), nl.addresses("t0").toString());
        String ip = ns.ip("addr", "show", "dev", "t0").stdout();
        assertTrue(ip.contains("inet 10.14.0.1/30") && ip.contains("inet6 fd00:14::1/126"), ip);
        NetlinkException dup = assertThrows(NetlinkException.class, () -> nl.addAddress("t0", v4));
        assertEquals(Errno.EEXIST, dup.errno());
        nl.deleteAddress("t0", v4);
        nl.deleteAddress("t0", v6);
        assertFalse(nl.addresses("t0").contains(v4));
        NetlinkException gone = assertThrows(NetlinkException.class, () -> nl.deleteAddress("t0", v4));
        assertEquals(Errno.EADDRNOTAVAIL, gone.errno());
        assertTrue(gone.isAlreadyGone());
        assertEquals(List.of(IpPrefix.parse("127.0.0.1/8"), IpPrefix.parse("::1/128")), nl.addresses("lo"));
    }

    @Test
    void theKernelRefusesDeviceNexthopsWithoutCarrierAndSaysWhy() {
        NetlinkException down = assertThrows(NetlinkException.class, () -> nl.addDeviceNexthop(1, "t0", BRAID));
        assertEquals(Errno.ENETDOWN, down.errno());
        assertEquals("Nexthop device is not up", down.kernelMessage());
        nl.setUp("t0", true);
        NetlinkException noCarrier = assertThrows(NetlinkException.class, () -> nl.addDeviceNexthop(1, "t0", BRAID));
        assertEquals(Errno.ENETDOWN, noCarrier.errno());
        assertEquals("Carrier for nexthop device is down", noCarrier.kernelMessage());
        assertEquals("add nexthop 1 dev t0 (RTM_NEWNEXTHOP): ENETDOWN (Network is down): "
                + "Carrier for nexthop device is down", noCarrier.getMessage());
        assertTrue(nl.nexthops().isEmpty());
    }

    @Test
    void resilientGroupsRoutesAndMembershipChanges() {
        upAll();
        try (TunCarrier carrier = TunCarrier.attach(ns.name(), "t0", "t1", "t2")) {
            for (int i = 0; i < 3; i++) {
                nl.addDeviceNexthop(i + 1, "t" + i, BRAID);
            }
            nl.addOrReplaceResilientGroup(100, List.of(1, 2), PARAMS, BRAID);
            NexthopInfo g = nl.nexthop(100).orElseThrow();
            assertEquals(NexthopInfo.GroupType.RESILIENT, g.groupType());
            assertEquals(List.of(1, 2), g.memberIds());
            assertEquals(Optional.of(PARAMS), g.resilient());
            assertEquals(List.of(1, 2), IpCli.groupMembers(ns, 100));
            assertTrue(IpCli.nexthops(ns).get(100).contains("type resilient buckets 64 idle_timer 10 unbalanced_timer 0"),
                    IpCli.nexthops(ns).get(100));
            NexthopInfo one = nl.nexthop(1).orElseThrow();
            assertEquals("t0", one.ifname());
            assertEquals(BRAID, one.protocol());

            nl.addOrReplaceResilientGroup(100, List.of(1, 2, 3), PARAMS, BRAID);
            assertEquals(List.of(1, 2, 3), nl.nexthop(100).orElseThrow().memberIds());
            assertEquals(List.of(1, 2, 3), IpCli.groupMembers(ns, 100));

            nl.addAddress("lo", IpPrefix.parse("10.0.55.1/32"));
            nl.replaceRoute(IpPrefix.parse("10.0.55.2/32"), 100, IpPrefix.parseAddress("10.0.55.1"), BRAID);
            nl.replaceRoute(IpPrefix.parse("192.168.20.0/24"), 100, IpPrefix.parseAddress("10.0.55.1"), BRAID);
            List<RouteInfo> routes = nl.routes(BRAID);
            assertEquals(List.of(IpPrefix.parse("10.0.55.2/32"), IpPrefix.parse("192.168.20.0/24")),
                    routes.stream().map(RouteInfo::destination).sorted().toList());
            for (RouteInfo r : routes) {
                assertEquals(100, r.nexthopId());
                assertEquals(Optional.of(IpPrefix.parseAddress("10.0.55.1")), r.preferredSource());
                assertEquals(List.of("t0", "t1", "t2"), r.paths().stream().map(RouteInfo.Path::ifname).toList());
            }
            String ipRoutes = ns.ip("route", "show", "proto", "98").stdout();
            assertTrue(ipRoutes.contains("192.168.20.0/24 nhid 100 src 10.0.55.1"), ipRoutes);
            assertTrue(ipRoutes.contains("10.0.55.2 nhid 100 src 10.0.55.1"), ipRoutes);
            assertTrue(nl.routes(Netlink.ANY_PROTOCOL).size() > routes.size(), "kernel routes are listed too");

            // withdraw path 2, then put it back: only the member list changes
            List<Long> withdrawNanos = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                long start = System.nanoTime();
                nl.replaceResilientGroupMembers(100, List.of(1, 3), BRAID);
                withdrawNanos.add(System.nanoTime() - start);
                assertEquals(List.of(1, 3), nl.nexthop(100).orElseThrow().memberIds());
                assertEquals(List.of(1, 3), IpCli.groupMembers(ns, 100));
                nl.replaceResilientGroupMembers(100, List.of(1, 2, 3), BRAID);
                assertEquals(List.of(1, 2, 3), IpCli.groupMembers(ns, 100));
            }
            assertEquals(64, IpCli.buckets(ns, 100), "member replace keeps the buckets");
            Collections.sort(withdrawNanos);
            System.out.println("withdraw (replace members) took " + withdrawNanos.stream()
                    .map(n -> String.format("%.3f ms", n / 1e6)).toList());
            assertTrue(withdrawNanos.getFirst() < 100_000_000L, "withdraw well under 100 ms: " + withdrawNanos);
            assertEquals(2, nl.routes(BRAID).size(), "routes stay through member changes");

            nl.deleteRoute(IpPrefix.parse("192.168.20.0/24"), BRAID);
            NetlinkException noRoute = assertThrows(NetlinkException.class,
                    () -> nl.deleteRoute(IpPrefix.parse("192.168.20.0/24"), BRAID));
            assertEquals(Errno.ESRCH, noRoute.errno());
            nl.deleteNexthop(100);
            assertTrue(nl.routes(BRAID).isEmpty(), "deleting the group takes its routes along");
            NetlinkException noGroup = assertThrows(NetlinkException.class, () -> nl.deleteNexthop(100));
            assertEquals(Errno.ENOENT, noGroup.errno());
            assertTrue(nl.nexthop(100).isEmpty());
        }
    }

    @Test
    void ipv6RoutesNeedIpv6NexthopsAndThenWorkThroughAResilientGroup() {
        upAll();
        try (TunCarrier carrier = TunCarrier.attach(ns.name(), "t0", "t1")) {
            nl.addDeviceNexthop(1, "t0", BRAID);
            nl.addDeviceNexthop(2, "t1", BRAID);
            nl.addOrReplaceResilientGroup(100, List.of(1, 2), PARAMS, BRAID);
            NetlinkException refused = assertThrows(NetlinkException.class,
                    () -> nl.replaceRoute(IpPrefix.parse("fd00:20::/64"), 100, null, BRAID));
            assertEquals("IPv6 routes can not use an IPv4 nexthop", refused.kernelMessage());

            nl.addDeviceNexthop(1000001, "t0", true, BRAID);
            nl.addDeviceNexthop(1000002, "t1", true, BRAID);
            nl.addOrReplaceResilientGroup(1000100, List.of(1000001, 1000002), PARAMS, BRAID);
            nl.addAddress("lo", IpPrefix.parse("fd00:55::1/128"));
            nl.replaceRoute(IpPrefix.parse("fd00:20::/64"), 1000100, IpPrefix.parseAddress("fd00:55::1"), BRAID);
            RouteInfo r = nl.routes(BRAID).getFirst();
            assertEquals(IpPrefix.parse("fd00:20::/64"), r.destination());
            assertEquals(1000100, r.nexthopId());
            assertEquals(2, r.paths().size());
            assertEquals(Rtnl.AF_INET6, nl.nexthop(1000001).orElseThrow().family());
            String ip = ns.ip("-6", "route", "show", "proto", "98").stdout();
            assertTrue(ip.contains("fd00:20::/64 nhid 1000100 src fd00:55::1"), ip);
            nl.replaceResilientGroupMembers(1000100, List.of(1000002), BRAID);
            assertEquals(List.of(1000002), IpCli.groupMembers(ns, 1000100));
        }
    }

    @Test
    void carrierLossMakesTheKernelDropTheNexthopThenTheGroupAndItsRoutes() {
        upAll();
        try (TunCarrier carrier = TunCarrier.attach(ns.name(), "t0", "t1", "t2")) {
            for (int i = 0; i < 3; i++) {
                nl.addDeviceNexthop(i + 1, "t" + i, BRAID);
            }
            nl.addOrReplaceResilientGroup(100, List.of(1, 2, 3), PARAMS, BRAID);
            nl.replaceRoute(IpPrefix.parse("192.168.20.0/24"), 100, null, BRAID);
            long start = System.nanoTime();
            carrier.detach("t1"); // worker 1 dies
            // carrier loss reaches the nexthop code through linkwatch, which batches non-urgent
            // events for up to a second
            assertTrue(waitUntil(Duration.ofSeconds(5), () -> nl.nexthop(2).isEmpty()),
                    "the kernel deleted nexthop 2 itself");
            System.out.printf("kernel removed the nexthop %.0f ms after its TUN was closed%n",
                    (System.nanoTime() - start) / 1e6);
            assertEquals(List.of(1, 3), nl.nexthop(100).orElseThrow().memberIds());
            assertEquals(List.of(1, 3), IpCli.groupMembers(ns, 100));
            assertEquals(1, nl.routes(BRAID).size());
            NetlinkException stale = assertThrows(NetlinkException.class,
                    () -> nl.replaceResilientGroupMembers(100, List.of(1, 2, 3), BRAID));
            assertEquals("Invalid nexthop id", stale.kernelMessage());
            carrier.detach("t0");
            carrier.detach("t2");
            assertTrue(waitUntil(Duration.ofSeconds(5), () -> nl.nexthops().isEmpty()),
                    "last member gone: group gone: " + nl.nexthops());
            assertTrue(nl.routes(BRAID).isEmpty(), "and its routes");
            NetlinkException stillStale = assertThrows(NetlinkException.class,
                    () -> nl.replaceResilientGroupMembers(100, List.of(1), BRAID));
            assertEquals(Errno.EINVAL, stillStale.errno(), "members are checked first: " + stillStale.getMessage());
            carrier.attach("t0"); // worker 0 restarted: its nexthop must be made again, and the group
            nl.addDeviceNexthop(1, "t0", BRAID);
            NetlinkException absent = assertThrows(NetlinkException.class,
                    () -> nl.replaceResilientGroupMembers(100, List.of(1), BRAID));
            System.out.println("replace of a vanished group: " + absent.getMessage());
            assertEquals(Errno.ENOENT, absent.errno());
        }
    }

    @Test
    void refusalsComeWithTheKernelsReason() {
        upAll();
        try (TunCarrier carrier = TunCarrier.attach(ns.name(), "t0")) {
            nl.addDeviceNexthop(1, "t0", BRAID);
            nl.addOrReplaceResilientGroup(100, List.of(1), PARAMS, BRAID);
            NetlinkException src = assertThrows(NetlinkException.class, () -> nl.replaceRoute(
                    IpPrefix.parse("192.168.20.0/24"), 100, IpPrefix.parseAddress("10.9.9.9"), BRAID));
            System.out.println("non-local src: " + src.getMessage());
            assertEquals(Errno.EINVAL, src.errno());
            assertTrue(src.getMessage().startsWith("replace route 192.168.20.0/24 nhid 100 src 10.9.9.9 proto 98"
                    + " (RTM_NEWROUTE): EINVAL (Invalid argument): "), src.getMessage());
            assertFalse(src.kernelMessage().isBlank(), "the kernel says why");

            NetlinkException member = assertThrows(NetlinkException.class,
                    () -> nl.addOrReplaceResilientGroup(101, List.of(1, 42), PARAMS, BRAID));
            assertEquals("Invalid nexthop id", member.kernelMessage());

            NetlinkException buckets = assertThrows(NetlinkException.class, () -> nl.addOrReplaceResilientGroup(
                    100, List.of(1), new ResilientParams(128, Duration.ofSeconds(10), Duration.ZERO), BRAID));
            assertEquals("Can not change number of buckets of a resilient nexthop group.", buckets.kernelMessage());

            NetlinkException noNexthop = assertThrows(NetlinkException.class,
                    () -> nl.replaceRoute(IpPrefix.parse("192.168.21.0/24"), 5, null, BRAID));
            assertEquals("Nexthop id does not exist", noNexthop.kernelMessage());

            NetlinkException exists = assertThrows(NetlinkException.class, () -> nl.addDeviceNexthop(1, "t0", BRAID));
            assertEquals(Errno.EEXIST, exists.errno());
        }
    }

    @Test
    void manyNexthopsDumpCompletely() {
        upAll();
        try (TunCarrier carrier = TunCarrier.attach(ns.name(), "t0")) {
            IntStream.rangeClosed(1, 300).forEach(i -> nl.addDeviceNexthop(i, "t0", BRAID));
            assertEquals(300, nl.nexthops().size());
            assertEquals(300, IpCli.nexthops(ns).size());
        }
    }

    @Test
    void sysctlsAreThoseOfTheNamespace() {
        Sysctl in = nl.sysctl();
        String hostValue = Sysctl.host().get("net.ipv4.fib_multipath_hash_policy");
        String before = in.get("net.ipv4.fib_multipath_hash_policy");
        String other = before.equals("1") ? "0" : "1";
        in.write("net.ipv4.fib_multipath_hash_policy", other);
        assertEquals(other, in.get("net.ipv4.fib_multipath_hash_policy"));
        assertEquals(other, ns.run("sysctl", "-n", "net.ipv4.fib_multipath_hash_policy").stdout().strip());
        assertEquals(hostValue, Sysctl.host().get("net.ipv4.fib_multipath_hash_policy"), "root namespace untouched");
        in.write("net.ipv4.fib_multipath_hash_policy", before);
        assertTrue(in.read("net.ipv4.no_such_key").isEmpty());
        try (Sysctl own = Sysctl.inNamespace(ns.name())) {
            assertEquals(before, own.get("net.ipv4.fib_multipath_hash_policy"));
        }
    }

    /** Polls every 20 ms, at most {@code limit}. */
    static boolean waitUntil(Duration limit, java.util.function.BooleanSupplier condition) {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    private void upAll() {
        for (String t : List.of("t0", "t1", "t2")) {
            nl.setUp(t, true);
        }
    }
}
