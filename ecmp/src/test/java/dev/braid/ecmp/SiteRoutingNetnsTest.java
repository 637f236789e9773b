package dev.braid.ecmp;

import static dev.braid.ecmp.NetlinkNetnsTest.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.braid.ecmp.lab.Netns;
import dev.braid.ecmp.lab.TunCarrier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SiteRouting} as the supervisor will drive it, in a namespace made per test: the whole
 * life of a site's routing, crashes included, must leave the namespace exactly as it was.
 */
@Tag("netns")
class SiteRoutingNetnsTest {
    private static final IpPrefix FLOATING = IpPrefix.parse("10.0.55.1/32");
    private static final List<IpPrefix> REMOTE = List.of(IpPrefix.parse("10.0.55.2/32"),
            IpPrefix.parse("192.168.20.0/24"), IpPrefix.parse("fd00:20::/64"));
    private static final int GROUP = 100;

    @TempDir
    Path stateDir;

    private Netns ns;
    private Netlink nl;
    private String before;

    @BeforeAll
    static void sweep() {
        Netns.sweepStale();
    }

    @BeforeEach
    void setUp() {
        ns = Netns.create("site");
        nl = Netlink.openIn(ns.name());
        before = IpCli.state(ns, nl.sysctl());
    }

    @AfterEach
    void tearDown() {
        try {
            nl.close();
        } finally {
            ns.close();
        }
    }

    private static PathSpec path(int i) {
        return new PathSpec(i + 1, "t" + i, IpPrefix.parse("10.14.0." + (4 * i + 1) + "/30"), 1420);
    }

    /** What the supervisor does before starting workers: journal, then create the TUNs. */
    private void createTuns(SiteRouting site, int count) {
        for (int i = 0; i < count; i++) {
            site.recordLinkCreatedByCaller("t" + i);
            ns.ip("tuntap", "add", "mode", "tun", "name", "t" + i);
        }
    }

    @Test
    void aWholeSiteLifeLeavesNothingBehind() {
        SiteRouting site = SiteRouting.begin(stateDir, nl);
        assertTrue(site.previousRunCleanup().isEmpty());
        FloatingPlacement floating = site.placeFloating("braid0", FLOATING);
        if (floating.loopbackFallback()) {
            assertEquals("lo", floating.ifname());
            assertTrue(floating.warning().orElseThrow().contains("no 'dummy' link type"), floating.warning().get());
            System.out.println("warning: " + floating.warning().get());
        }
        assertTrue(nl.addresses(floating.ifname()).contains(FLOATING));
        createTuns(site, 3);
        try (TunCarrier workers = TunCarrier.attach(ns.name(), "t0", "t1")) {
            // t2's worker has not opened its TUN yet
            PathStatus p0 = site.configurePath(path(0));
            site.configurePath(path(1));
            PathStatus p2 = site.configurePath(path(2));
            assertTrue(p0.nexthopPresent() && p0.carrier());
            assertFalse(p2.nexthopPresent());
            assertTrue(p2.detail().contains("no carrier"), p2.detail());
            assertEquals(1420, nl.link("t2").orElseThrow().mtuBytes());
            assertTrue(nl.addresses("t2").contains(IpPrefix.parse("10.14.0.9/30")));

            GroupUpdate programmed = site.programRoutes(new RoutingSpec(GROUP, REMOTE, FLOATING.address()));
            System.out.println("programRoutes: " + programmed);
            assertEquals(GroupUpdate.Outcome.GROUP_SET, programmed.outcome());
            assertEquals(List.of(1, 2), programmed.members());
            assertEquals(Set.of(3), programmed.skipped().keySet());
            assertEquals(REMOTE, programmed.routesInstalled());
            assertEquals(List.of(1, 2), IpCli.groupMembers(ns, GROUP));
            assertEquals(List.of(SiteRouting.ipv6TwinId(1), SiteRouting.ipv6TwinId(2)),
                    IpCli.groupMembers(ns, SiteRouting.ipv6TwinId(GROUP)));
            assertEquals(256, IpCli.buckets(ns, GROUP));
            String routes = ns.ip("route", "show", "proto", "98").stdout();
            assertTrue(routes.contains("192.168.20.0/24 nhid 100 src 10.0.55.1"), routes);
            assertTrue(routes.contains("10.0.55.2 nhid 100 src 10.0.55.1"), routes);
            String routes6 = ns.ip("-6", "route", "show", "proto", "98").stdout();
            assertTrue(routes6.contains("fd00:20::/64 nhid 1000100"), routes6);
            // ICMP: one rule per family into the ICMP table, which routes through the lowest live path alone
            int icmpTable = SiteRouting.icmpTableId(GROUP);
            assertEquals(2_000_100, icmpTable);
            String rules = ns.ip("rule", "show").stdout();
            assertTrue(rules.contains("32700:\tfrom all ipproto icmp lookup 2000100 proto 98"), rules);
            String rules6 = ns.ip("-6", "rule", "show").stdout();
            assertTrue(rules6.contains("32700:\tfrom all ipproto ipv6-icmp lookup 2000100 proto 98"), rules6);
            assertEquals(Optional.of(1), site.icmpPath());
            assertIcmpVia(1);


            // a path goes down, comes back: the fast path
            GroupUpdate withdrawn = site.setLivePaths(Set.of(1));
            assertEquals(GroupUpdate.Outcome.MEMBERS_REPLACED, withdrawn.outcome());
            assertEquals(List.of(1), IpCli.groupMembers(ns, GROUP));
            assertEquals(List.of(SiteRouting.ipv6TwinId(1)), IpCli.groupMembers(ns, SiteRouting.ipv6TwinId(GROUP)));
            System.out.printf("withdraw took %.3f ms%n", withdrawn.elapsedNanos() / 1e6);
            assertIcmpVia(1);
            // the ICMP path itself goes down: ICMP moves to the next live path, and back when it returns
            assertEquals(GroupUpdate.Outcome.MEMBERS_REPLACED, site.setLivePaths(Set.of(2)).outcome());
            assertEquals(Optional.of(2), site.icmpPath());
            assertIcmpVia(2);
            assertEquals(GroupUpdate.Outcome.MEMBERS_REPLACED, site.setLivePaths(Set.of(1, 2)).outcome());
            assertEquals(List.of(1, 2), IpCli.groupMembers(ns, GROUP));
            assertIcmpVia(1);

            // worker 2 attaches: its nexthops are made and it joins
            workers.attach("t2");
            GroupUpdate joined = site.setLivePaths(Set.of(1, 2, 3));
            assertEquals(GroupUpdate.Outcome.GROUP_SET, joined.outcome());
            assertEquals(List.of(1, 2, 3), joined.members());
            assertTrue(joined.routesInstalled().isEmpty(), "the group stayed, so did the routes");
            assertEquals(List.of(1, 2, 3), IpCli.groupMembers(ns, GROUP));

            // no live path: the routes fail closed (unreachable), the group stays for the way back
            GroupUpdate none = site.setLivePaths(Set.of());
            assertEquals(GroupUpdate.Outcome.UNREACHABLE, none.outcome());
            assertTrue(site.routesUnreachable());
            assertTrue(nl.routes(Netlink.RTPROT_BRAID).stream().allMatch(r -> r.type() == 7), nl.routes(Netlink.RTPROT_BRAID).toString());
            assertEquals(3, nl.routes(Netlink.RTPROT_BRAID).size());
            List<RouteInfo> icmpRoutes = nl.routes(icmpTable, Netlink.RTPROT_BRAID);
            assertTrue(icmpRoutes.size() == 3 && icmpRoutes.stream().allMatch(RouteInfo::isUnreachable), icmpRoutes.toString());
            assertEquals(Optional.empty(), site.icmpPath());
            GroupUpdate again = site.setLivePaths(Set.of(1, 2, 3));
            assertEquals(GroupUpdate.Outcome.GROUP_SET, again.outcome());
            assertEquals(REMOTE, again.routesInstalled());
            assertTrue(nl.routes(Netlink.RTPROT_BRAID).stream().allMatch(r -> r.nexthopId() == GROUP
                    || r.nexthopId() == SiteRouting.ipv6TwinId(GROUP)), nl.routes(Netlink.RTPROT_BRAID).toString());

            List<SysctlChange> sysctls = site.applySysctls();
            System.out.println("sysctls: " + sysctls);
            for (SysctlChange c : sysctls) {
                assertEquals(SysctlChange.Status.CHANGED, c.status(), c.toString());
                assertEquals("1", nl.sysctl().get(c.key()));
            }
            assertTrue(site.applySysctls().stream().allMatch(c -> c.status() == SysctlChange.Status.UNCHANGED));

            // every worker dies: the kernel drops nexthops, group and routes by itself
            workers.detach("t0");
            workers.detach("t1");
            workers.detach("t2");
            assertTrue(waitUntil(Duration.ofSeconds(5), () -> nl.nexthops().isEmpty()), nl.nexthops().toString());
            GroupUpdate dead = site.setLivePaths(Set.of(1, 2, 3));
            assertEquals(GroupUpdate.Outcome.UNREACHABLE, dead.outcome());
            assertEquals(3, nl.routes(Netlink.RTPROT_BRAID).size(), "unreachable routes keep the remote site from leaking");

            // worker 0 restarts: nexthop, group and routes come back
            workers.attach("t0");
            GroupUpdate back = site.setLivePaths(Set.of(1, 2, 3));
            assertEquals(GroupUpdate.Outcome.GROUP_SET, back.outcome());
            assertEquals(List.of(1), back.members());
            assertEquals(REMOTE, back.routesInstalled());
            assertEquals(3, nl.routes(Netlink.RTPROT_BRAID).size());
            assertIcmpVia(1);
        }
        UndoReport report = site.teardown();
        System.out.println("teardown:\n" + report);
        assertTrue(report.isClean(), report.toString());
        assertFalse(Files.exists(site.journalPath()));
        assertEquals(before, IpCli.state(ns, nl.sysctl()));
        assertThrows(IllegalStateException.class, () -> site.setLivePaths(Set.of(1)));
    }

    /** Every destination of the ICMP table goes through path {@code id} (its IPv6 twin for IPv6). */
    private void assertIcmpVia(int id) {
        assertIcmpVia(id, REMOTE);
    }

    private void assertIcmpVia(int id, List<IpPrefix> destinations) {
        List<RouteInfo> routes = nl.routes(SiteRouting.icmpTableId(GROUP), Netlink.RTPROT_BRAID);
        assertEquals(destinations, routes.stream().map(RouteInfo::destination).toList(), routes.toString());
        for (RouteInfo r : routes) {
            assertEquals(r.destination().isIpv4() ? id : SiteRouting.ipv6TwinId(id), r.nexthopId(), r.toString());
            assertEquals(r.destination().isIpv4() ? Optional.of(FLOATING.address()) : Optional.empty(),
                    r.preferredSource(), r.toString());
        }
    }

    @Test
    void aKilledSupervisorsChangesAreUndoneByTheNextBegin() throws IOException {
        SiteRouting dead = SiteRouting.begin(stateDir, nl);
        dead.placeFloating("braid0", FLOATING);
        createTuns(dead, 2);
        try (TunCarrier workers = TunCarrier.attach(ns.name(), "t0", "t1")) {
            dead.configurePath(path(0));
            dead.configurePath(path(1));
            dead.programRoutes(new RoutingSpec(GROUP, REMOTE, FLOATING.address()));
            dead.applySysctls();
            assertThrows(IllegalStateException.class, () -> SiteRouting.begin(stateDir, nl),
                    "one supervisor per state directory");
            dead.abandon(); // as if killed: no teardown
            assertFalse(before.equals(IpCli.state(ns, nl.sysctl())));
            String journal = Files.readString(dead.journalPath());
            System.out.println("journal left by the killed supervisor:\n" + journal);
            assertTrue(journal.contains("route-added 192.168.20.0/24 proto 98"), journal);
            assertTrue(journal.contains("route-added 192.168.20.0/24 proto 98 table 2000100"), journal);
            assertTrue(journal.contains("rule-added inet ipproto 1 priority 32700 table 2000100 protocol 98"), journal);
            assertTrue(journal.contains("sysctl-changed net.ipv4.ip_forward old=0"), journal);
        }
        SiteRouting next = SiteRouting.begin(stateDir, nl);
        UndoReport cleanup = next.previousRunCleanup();
        System.out.println("next begin removed:\n" + cleanup);
        assertTrue(cleanup.isClean(), cleanup.toString());
        assertFalse(cleanup.undone().isEmpty());
        assertEquals(before, IpCli.state(ns, nl.sysctl()));
        assertTrue(next.teardown().isEmpty(), "the new run changed nothing yet");
    }

    @Test
    void runningSetupTwiceChangesAndJournalsNothingNew() throws IOException {
        SiteRouting site = SiteRouting.begin(stateDir, nl);
        createTuns(site, 2);
        try (TunCarrier workers = TunCarrier.attach(ns.name(), "t0", "t1")) {
            RoutingSpec spec = new RoutingSpec(GROUP, REMOTE.subList(0, 2), FLOATING.address());
            for (int round = 0; round < 2; round++) {
                site.placeFloating("braid0", FLOATING);
                site.configurePath(path(0));
                site.configurePath(path(1));
                site.programRoutes(spec);
                site.applySysctls();
            }
            List<String> lines = Files.readAllLines(site.journalPath());
            assertEquals(lines.stream().distinct().count(), lines.size(), "no line twice: " + lines);
            assertEquals(1, lines.stream().filter(l -> l.endsWith(" nexthop-added 1")).count());
            assertEquals(3, nl.nexthops().size(), "two nexthops and one group: " + nl.nexthops());
            assertEquals(2, nl.routes(Netlink.RTPROT_BRAID).size());
        }
        assertTrue(site.teardown().isClean());
        assertEquals(before, IpCli.state(ns, nl.sysctl()));
    }

    /**
     * A site whose routes conflict with something an operator put there: programRoutes refuses,
     * teardown is clean and leaves the operator's state as it was. Returns the refusal's message.
     */
    private String refusedByAConflict() {
        String withOperatorState = IpCli.state(ns, nl.sysctl());
        SiteRouting site = SiteRouting.begin(stateDir, nl);
        createTuns(site, 1);
        String message;
        try (TunCarrier workers = TunCarrier.attach(ns.name(), "t0")) {
            site.placeFloating("braid0", FLOATING);
            site.configurePath(path(0));
            message = assertThrows(IllegalStateException.class,
                    () -> site.programRoutes(new RoutingSpec(GROUP, REMOTE, FLOATING.address()))).getMessage();
            System.out.println("conflict: " + message);
        }
        assertTrue(site.teardown().isClean());
        assertEquals(withOperatorState, IpCli.state(ns, nl.sysctl()));
        return message;
    }

    @Test
    void anOperatorsRouteIsNeitherReplacedNorRemoved() {
        ns.ip("route", "add", "192.168.20.0/24", "dev", "lo", "proto", "static");
        String message = refusedByAConflict();
        assertTrue(message.contains("192.168.20.0/24"), message);
    }

    @Test
    void anOperatorsRouteInTheIcmpTableIsRefusedAndAnOperatorsIcmpRuleIsKept() {
        ns.ip("route", "add", "10.9.9.0/24", "dev", "lo", "table", "2000100", "proto", "static");
        ns.ip("rule", "add", "ipproto", "icmp", "priority", "32700", "table", "2000100");
        String message = refusedByAConflict();
        assertTrue(message.contains("table 2000100") && message.contains("10.9.9.0/24"), message);

        // without the route, Braid adds its own rule beside the operator's (another protocol) and removes only its own
        ns.ip("route", "del", "10.9.9.0/24", "table", "2000100");
        String withOperatorRule = IpCli.state(ns, nl.sysctl());
        SiteRouting again = SiteRouting.begin(stateDir, nl);
        createTuns(again, 1);
        try (TunCarrier workers = TunCarrier.attach(ns.name(), "t0")) {
            again.placeFloating("braid0", FLOATING);
            again.configurePath(path(0));
            again.programRoutes(new RoutingSpec(GROUP, REMOTE.subList(0, 2), FLOATING.address()));
            String rules = ns.ip("rule", "show").stdout();
            assertEquals(2, rules.lines().filter(l -> l.contains("ipproto icmp lookup 2000100")).count(), rules);
            assertIcmpVia(1, REMOTE.subList(0, 2));
        }
        UndoReport report = again.teardown();
        assertTrue(report.isClean(), report.toString());
        assertEquals(withOperatorRule, IpCli.state(ns, nl.sysctl()));
    }

    @Test
    void aNonLocalSourceIsRefusedReadablyAndStillUndone() {
        SiteRouting site = SiteRouting.begin(stateDir, nl);
        createTuns(site, 1);
        try (TunCarrier workers = TunCarrier.attach(ns.name(), "t0")) {
            site.configurePath(path(0));
            NetlinkException e = assertThrows(NetlinkException.class, () -> site.programRoutes(
                    new RoutingSpec(GROUP, REMOTE, IpPrefix.parseAddress("10.0.55.9"))));
            System.out.println("non-local source: " + e.getMessage());
            assertTrue(e.getMessage().contains("src 10.0.55.9") && e.getMessage().contains("Invalid prefsrc address"),
                    e.getMessage());
        }
        UndoReport report = site.teardown();
        assertTrue(report.isClean(), report.toString());
        assertEquals(before, IpCli.state(ns, nl.sysctl()));
    }

    @Test
    void livePathsBeforeRoutesAreRemembered() {
        SiteRouting site = SiteRouting.begin(stateDir, nl);
        createTuns(site, 2);
        try (TunCarrier workers = TunCarrier.attach(ns.name(), "t0", "t1")) {
            site.configurePath(path(0));
            site.configurePath(path(1));
            assertEquals(GroupUpdate.Outcome.DEFERRED, site.setLivePaths(Set.of(2)).outcome());
            GroupUpdate programmed = site.programRoutes(new RoutingSpec(GROUP, REMOTE.subList(0, 2), null));
            assertEquals(List.of(2), programmed.members());
            assertThrows(IllegalArgumentException.class, () -> site.setLivePaths(Set.of(7)));
            assertEquals(Map.of(), programmed.skipped());
        }
        assertTrue(site.teardown().isClean());
        assertEquals(before, IpCli.state(ns, nl.sysctl()));
    }
}
