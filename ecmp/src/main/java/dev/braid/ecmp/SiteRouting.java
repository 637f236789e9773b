package dev.braid.ecmp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The site's kernel routing, as the supervisor drives it: floating address, per-worker paths (TUN
 * address, nexthop), the resilient group over the live paths, routes to the remote side, sysctls —
 * and the undo of all of it. Every change is journaled ({@link ChangeJournal}) before it is made;
 * {@link #begin} first undoes a journal left by a supervisor that died, {@link #teardown} undoes
 * this one's.
 *
 * <p>The kernel shapes the flow here: a device nexthop can only be created while its TUN has
 * carrier (a worker holds it open), and the kernel deletes it by itself when the carrier goes —
 * removing it from the group at once, and deleting the group and its routes if it was the last
 * member. So nexthops are created when a path is configured or declared live with carrier, and
 * {@link #setLivePaths} recreates whatever the kernel removed. Its common case — same nexthops,
 * different member list — is one netlink request per address family.
 *
 * <p>ICMP takes one path, the lowest live one, in both directions: a rule per address family
 * ({@link #ICMP_RULE_PRIORITY}, just before the main table) sends ICMP to table
 * {@link #icmpTableId}, which routes every destination through that path's own nexthop. Without it,
 * the kernel's layer-4 hash sends an echo request and its reply over different paths: for ICMP the
 * site itself sends, it hashes the message type where TCP and UDP have ports, and request (8) and
 * reply (0) differ. A ping would then cross two worker pairs and wake four idle workers instead of
 * two, and would need two paths healthy. Both sites pick the lowest live path, which is one pair.
 *
 * <p>IPv6 routes cannot use IPv4 nexthops (the kernel refuses), so when the routing spec has IPv6
 * destinations each path gets an IPv6 twin nexthop and the group an IPv6 twin group, with ids
 * {@link #ipv6TwinId}. Not thread-safe: the supervisor calls it from one thread.
 */
public final class SiteRouting {
    /** Largest nexthop/group id a plan may use; twins live above it. */
    public static final int MAX_ID = 999_999;
    private static final int IPV6_TWIN_OFFSET = 1_000_000;
    private static final String LOCK_FILE = "routing.lock";
    private static final int ICMP_TABLE_OFFSET = 2_000_000;

    /**
     * Priority of the ICMP rules: after the local table (0) and any rule an operator numbered below
     * it, just before the main table's rule (32766).
     */
    public static final int ICMP_RULE_PRIORITY = 32700;

    /** The sysctls Braid sets, in the order it sets them. */
    public static final Map<String, String> SYSCTLS = sysctls();

    private final Netlink netlink;
    private final Sysctl sysctl;
    private final ChangeJournal journal;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final UndoReport previousRun;
    private final Map<Integer, PathSpec> paths = new LinkedHashMap<>();
    private final NexthopKeeper keeper;
    private RoutingSpec routing;
    private Set<Integer> requestedLive; // null: every configured path
    private boolean routesUnreachable;
    private int icmpPath; // the path ICMP takes; 0 while none (routes unreachable or not programmed)
    private boolean icmpRulesAdded;
    private boolean closed;

    private SiteRouting(Netlink netlink, Sysctl sysctl, ChangeJournal journal, FileChannel lockChannel,
                        FileLock lock, UndoReport previousRun) {
        this.netlink = netlink;
        this.sysctl = sysctl;
        this.journal = journal;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.previousRun = previousRun;
        this.keeper = new NexthopKeeper(netlink, journal);
    }

    /**
     * Takes the state directory (one supervisor at a time), and if a journal from a previous,
     * dead supervisor is there, undoes it first: see {@link #previousRunCleanup()}.
     */
    public static SiteRouting begin(Path stateDir, Netlink netlink) {
        return begin(stateDir, netlink, netlink.sysctl());
    }

    public static SiteRouting begin(Path stateDir, Netlink netlink, Sysctl sysctl) {
        ChangeJournal journal = ChangeJournal.in(stateDir);
        FileChannel channel = null;
        FileLock lock;
        try {
            channel = FileChannel.open(stateDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new IllegalStateException("state directory " + stateDir + " is in use by another SiteRouting "
                    + "of this process (not torn down or abandoned)");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + stateDir.resolve(LOCK_FILE) + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new IllegalStateException("state directory " + stateDir + " is in use by another running "
                    + "supervisor (" + stateDir.resolve(LOCK_FILE) + " is locked)");
        }
        UndoReport previous = journal.exists()
                ? journal.undoAll(ChangeJournal.undoer(netlink, sysctl)) : UndoReport.empty();
        return new SiteRouting(netlink, sysctl, journal, channel, lock, previous);
    }

    /** What {@link #begin} removed from a previous run's journal (empty when there was none). */
    public UndoReport previousRunCleanup() {
        return previousRun;
    }

    public Path journalPath() {
        return journal.path();
    }

    /** The nexthop id used for IPv6 routes alongside IPv4 nexthop or group {@code id}. */
    public static int ipv6TwinId(int id) {
        return id + IPV6_TWIN_OFFSET;
    }

    /**
     * The routing table of group {@code groupId}'s ICMP routes: 2,000,000 + the group id, which keeps
     * it clear of the reserved tables (0, 253-255) and of the ids an operator usually picks.
     */
    public static int icmpTableId(int groupId) {
        return ICMP_TABLE_OFFSET + groupId;
    }

    /** The path (nexthop id) ICMP takes now in both directions; empty while no path is live. */
    public Optional<Integer> icmpPath() {
        return icmpPath == 0 ? Optional.empty() : Optional.of(icmpPath);
    }

    /**
     * Puts the floating address on a dummy link {@code ifname} (created and brought up if absent),
     * or on {@code lo} when the kernel has no dummy type. An address already there is left as is.
     */
    public FloatingPlacement placeFloating(String ifname, IpPrefix address) {
        checkOpen();
        String target = ifname;
        Optional<String> warning = Optional.empty();
        Optional<LinkInfo> existing = netlink.link(ifname);
        if (existing.isPresent()) {
            LinkInfo l = existing.get();
            if (!l.kind().equals("dummy") && !l.isLoopback()) {
                throw new IllegalStateException("link " + ifname + " exists but is " + (l.kind().isEmpty()
                        ? "not a dummy" : "of type " + l.kind()) + ": choose another name for the floating link");
            }
        } else {
            journal.append(new JournalEntry.LinkCreated(ifname));
            try {
                netlink.createDummy(ifname);
            } catch (LinkTypeUnsupportedException e) {
                target = "lo";
                String text = "the kernel has no 'dummy' link type (" + e.kernelMessage() + "): floating address "
                        + address + " placed on lo instead of " + ifname;
                warning = Optional.of(text);
                journal.append(new JournalEntry.Note(text));
            }
        }
        if (!netlink.link(target).map(LinkInfo::isUp).orElse(false)) {
            netlink.setUp(target, true);
        }
        addAddressIfMissing(target, address);
        return new FloatingPlacement(target, address, !target.equals(ifname), warning);
    }

    /** Journals a link the caller is about to create (the TUNs), so that undo deletes it. */
    public void recordLinkCreatedByCaller(String name) {
        checkOpen();
        journal.append(new JournalEntry.LinkCreated(name));
    }

    /**
     * Gives a worker's TUN its address and MTU, brings it up, and creates its nexthop(s) if the TUN
     * has carrier already. Safe to call again for the same path. A path configured after
     * {@link #programRoutes} joins the group at the next {@link #setLivePaths} that names it.
     */
    public PathStatus configurePath(PathSpec path) {
        checkOpen();
        PathSpec known = paths.get(path.nexthopId());
        if (known != null && !known.equals(path)) {
            throw new IllegalArgumentException("nexthop id " + path.nexthopId() + " is already used by " + known);
        }
        if (routing != null && routing.groupId() == path.nexthopId()) {
            throw new IllegalArgumentException("nexthop id " + path.nexthopId() + " is the group's id");
        }
        LinkInfo link = netlink.link(path.ifname()).orElseThrow(() -> new IllegalStateException(
                "link " + path.ifname() + " does not exist: create the TUN before configuring its path"));
        if (path.mtuBytes() != 0 && link.mtuBytes() != path.mtuBytes()) {
            netlink.setMtu(path.ifname(), path.mtuBytes());
        }
        addAddressIfMissing(path.ifname(), path.linkAddress());
        if (!link.isUp()) {
            netlink.setUp(path.ifname(), true);
        }
        paths.put(path.nexthopId(), path);
        NexthopKeeper.Result r = keeper.ensure(path, needsIpv6(), keeper.snapshot());
        return new PathStatus(path.nexthopId(), path.ifname(), r.carrier(), r.ready(), r.detail());
    }

    /**
     * Creates the group(s) over the live paths (all configured paths unless {@link #setLivePaths}
     * said otherwise) and routes every destination through them with the preferred source. Refuses
     * destinations that already have a route of another protocol (an operator's route would be
     * replaced, then deleted at teardown).
     */
    public GroupUpdate programRoutes(RoutingSpec spec) {
        checkOpen();
        if (paths.containsKey(spec.groupId())) {
            throw new IllegalArgumentException("group id " + spec.groupId() + " is also a path's nexthop id");
        }
        List<String> conflicts = new ArrayList<>();
        for (RouteInfo r : netlink.routes(Netlink.ANY_PROTOCOL)) {
            if (r.protocol() != Netlink.RTPROT_BRAID && spec.destinations().contains(r.destination())) {
                conflicts.add(r.toString());
            }
        }
        if (!conflicts.isEmpty()) {
            throw new IllegalStateException("routes to these destinations exist already and are not Braid's: "
                    + conflicts + "; remove them or drop the destinations from the config");
        }
        int icmpTable = icmpTableId(spec.groupId());
        for (RouteInfo r : netlink.routes(icmpTable, Netlink.ANY_PROTOCOL)) {
            if (r.protocol() != Netlink.RTPROT_BRAID) {
                conflicts.add(r.toString());
            }
        }
        if (!conflicts.isEmpty()) {
            throw new IllegalStateException("routing table " + icmpTable + ", which Braid uses for ICMP, has routes "
                    + "that are not Braid's: " + conflicts + "; remove them or choose another nexthop_id_base");
        }
        this.routing = spec;
        return reconcile(liveSet(), true, System.nanoTime());
    }

    /**
     * Makes {@code nexthopIds} the group's members: withdraws paths not listed, restores listed
     * ones. Usually one netlink request per family; recreates nexthops, the group and the routes
     * when the kernel removed them (a TUN lost carrier). Ids whose TUN has no carrier are left out
     * and reported. An empty set (or one with nothing usable) makes every destination's route
     * {@code unreachable}: senders get ICMP unreachable at once, and nothing for the remote site can
     * leak, unencrypted, out of a less specific route; the next live set puts the routes back.
     */
    public GroupUpdate setLivePaths(Set<Integer> nexthopIds) {
        checkOpen();
        long start = System.nanoTime();
        for (int id : nexthopIds) {
            if (!paths.containsKey(id)) {
                throw new IllegalArgumentException("nexthop id " + id + " is not a configured path (known: "
                        + paths.keySet() + ")");
            }
        }
        requestedLive = new TreeSet<>(nexthopIds);
        if (routing == null) {
            return new GroupUpdate(GroupUpdate.Outcome.DEFERRED, List.copyOf(requestedLive), Map.of(), List.of(),
                    System.nanoTime() - start, "routes not programmed yet; live paths " + requestedLive + " remembered");
        }
        if (requestedLive.isEmpty()) {
            return unreachable(start, Map.of(), "no live path");
        }
        if (routesUnreachable) {
            return reconcile(requestedLive, true, start);
        }
        List<Integer> members = List.copyOf(requestedLive);
        try {
            netlink.replaceResilientGroupMembers(routing.groupId(), members, Netlink.RTPROT_BRAID);
            if (routing.hasIpv6()) {
                netlink.replaceResilientGroupMembers(ipv6TwinId(routing.groupId()),
                        members.stream().map(SiteRouting::ipv6TwinId).toList(), Netlink.RTPROT_BRAID);
            }
            // always rewritten: the kernel deletes these routes with the nexthop of a path that lost carrier
            pinIcmp(members.getFirst());
            return new GroupUpdate(GroupUpdate.Outcome.MEMBERS_REPLACED, members, Map.of(), List.of(),
                    System.nanoTime() - start, "group " + routing.groupId() + " members now " + members
                    + ", ICMP via " + icmpPath);
        } catch (NetlinkException e) {
            // a member or the group itself is gone (TUN lost carrier): rebuild what is missing
            return reconcile(requestedLive, false, start);
        }
    }

    private Set<Integer> liveSet() {
        return requestedLive != null ? requestedLive : new TreeSet<>(paths.keySet());
    }

    private GroupUpdate reconcile(Set<Integer> wanted, boolean installRoutes, long start) {
        boolean ipv6 = routing.hasIpv6();
        List<Integer> members = new ArrayList<>();
        Map<Integer, String> skipped = new LinkedHashMap<>();
        NexthopKeeper.Snapshot snapshot = keeper.snapshot();
        for (int id : wanted) {
            NexthopKeeper.Result r = keeper.ensure(paths.get(id), ipv6, snapshot);
            if (r.ready()) {
                members.add(id);
            } else {
                skipped.put(id, r.detail());
            }
        }
        int group = routing.groupId();
        if (members.isEmpty()) {
            return unreachable(start, skipped, "no usable path " + skipped);
        }
        boolean fresh = keeper.setGroup(group, members, routing.params(), snapshot);
        if (ipv6) {
            fresh |= keeper.setGroup(ipv6TwinId(group), members.stream().map(SiteRouting::ipv6TwinId).toList(),
                    routing.params(), snapshot);
        }
        List<IpPrefix> installed = new ArrayList<>();
        if (installRoutes || fresh || routesUnreachable) {
            routesUnreachable = false;
            routeEveryDestination(Rtnl.RT_TABLE_MAIN, group);
            installed.addAll(routing.destinations());
        }
        pinIcmp(members.getFirst());
        return new GroupUpdate(GroupUpdate.Outcome.GROUP_SET, members, skipped, installed, System.nanoTime() - start,
                "group " + group + " set to " + members + (skipped.isEmpty() ? "" : ", left out " + skipped)
                        + (installed.isEmpty() ? "" : ", routes " + installed) + ", ICMP via " + icmpPath);
    }

    /**
     * Routes every destination in the ICMP table through path {@code path} alone (its IPv6 twin for
     * IPv6 destinations), then makes sure the rules that send ICMP there exist.
     */
    private void pinIcmp(int path) {
        int table = icmpTableId(routing.groupId());
        routeEveryDestination(table, path);
        icmpPath = path;
        addIcmpRules(table);
    }

    /**
     * Routes every destination, in {@code table}, through nexthop (group) {@code nexthop} or its IPv6
     * twin, with the preferred source where it is of the destination's family.
     */
    private void routeEveryDestination(int table, int nexthop) {
        InetAddress src = routing.preferredSource();
        for (IpPrefix d : routing.destinations()) {
            journal.append(new JournalEntry.RouteAdded(d, Netlink.RTPROT_BRAID, table));
            boolean sameFamily = src != null && src.getAddress().length == d.addressBytes();
            netlink.replaceRoute(table, d, d.isIpv4() ? nexthop : ipv6TwinId(nexthop), sameFamily ? src : null,
                    Netlink.RTPROT_BRAID);
        }
    }

    private void addIcmpRules(int table) {
        if (icmpRulesAdded) {
            return;
        }
        for (boolean ipv6 : new boolean[] {false, true}) {
            if (routing.destinations().stream().noneMatch(d -> d.isIpv6() == ipv6)) {
                continue;
            }
            ProtocolRule rule = ProtocolRule.icmp(ipv6, ICMP_RULE_PRIORITY, table);
            journal.append(new JournalEntry.RuleAdded(rule, Netlink.RTPROT_BRAID));
            try {
                netlink.addRule(rule, Netlink.RTPROT_BRAID);
            } catch (NetlinkException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
                // the kernel matches the protocol too, so this is a rule of Braid's that outlived its run
                // (a journal lost with the state directory): it does what we want, and goes at teardown
            }
        }
        icmpRulesAdded = true;
    }

    private GroupUpdate unreachable(long start, Map<Integer, String> skipped, String why) {
        // ICMP's table too: it must not keep a path declared dead (that path's TUN may still be up)
        for (int table : new int[] {Rtnl.RT_TABLE_MAIN, icmpTableId(routing.groupId())}) {
            for (IpPrefix d : routing.destinations()) {
                journal.append(new JournalEntry.RouteAdded(d, Netlink.RTPROT_BRAID, table));
                netlink.replaceUnreachableRoute(table, d, Netlink.RTPROT_BRAID);
            }
        }
        routesUnreachable = true;
        icmpPath = 0;
        return new GroupUpdate(GroupUpdate.Outcome.UNREACHABLE, List.of(), skipped, routing.destinations(),
                System.nanoTime() - start, why + ": routes to " + routing.destinations() + " are unreachable until a path is live");
    }

    /** True while the destinations have unreachable routes because no path is live. */
    public boolean routesUnreachable() {
        return routesUnreachable;
    }

    /** Sets {@link #SYSCTLS}, journaling each old value first; keys this kernel lacks are skipped. */
    public List<SysctlChange> applySysctls() {
        checkOpen();
        List<SysctlChange> out = new ArrayList<>();
        for (Map.Entry<String, String> e : SYSCTLS.entrySet()) {
            Optional<String> old = sysctl.read(e.getKey());
            if (old.isEmpty()) {
                out.add(new SysctlChange(e.getKey(), "", e.getValue(), SysctlChange.Status.ABSENT));
            } else if (old.get().strip().equals(e.getValue())) {
                out.add(new SysctlChange(e.getKey(), old.get(), e.getValue(), SysctlChange.Status.UNCHANGED));
            } else {
                journal.append(new JournalEntry.SysctlChanged(e.getKey(), old.get()));
                sysctl.write(e.getKey(), e.getValue());
                out.add(new SysctlChange(e.getKey(), old.get(), e.getValue(), SysctlChange.Status.CHANGED));
            }
        }
        return out;
    }

    /** Undoes everything this run journaled, newest first, removes the journal and frees the state directory. */
    public UndoReport teardown() {
        checkOpen();
        try {
            return journal.undoAll(ChangeJournal.undoer(netlink, sysctl));
        } finally {
            release();
        }
    }

    /**
     * Frees the state directory WITHOUT undoing anything, leaving the journal as a killed
     * supervisor would (tests and the crash demo). The next {@link #begin} undoes it.
     */
    public void abandon() {
        checkOpen();
        journal.close();
        release();
    }

    private void release() {
        closed = true;
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(lockChannel);
    }

    private void addAddressIfMissing(String ifname, IpPrefix address) {
        if (!netlink.addresses(ifname).contains(address)) {
            journal.append(new JournalEntry.AddressAdded(ifname, address));
            netlink.addAddress(ifname, address);
        }
    }

    private boolean needsIpv6() {
        return routing != null && routing.hasIpv6();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this SiteRouting was torn down or abandoned");
        }
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing was written through it
            }
        }
    }

    private static Map<String, String> sysctls() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("net.ipv4.ip_forward", "1");
        m.put("net.ipv4.fib_multipath_hash_policy", "1");
        m.put("net.ipv6.fib_multipath_hash_policy", "1");
        m.put("net.ipv4.conf.all.ignore_routes_with_linkdown", "1");
        m.put("net.ipv6.conf.all.ignore_routes_with_linkdown", "1");
        return java.util.Collections.unmodifiableMap(m);
    }
}
