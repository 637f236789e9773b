package dev.braid.ecmp;

import static dev.braid.ecmp.Rtnl.*;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Braid's way into the kernel's routing configuration: one NETLINK_ROUTE socket and the requests
 * Braid needs (links, addresses, nexthop objects, resilient groups, routes). Each call encodes one
 * request into a preallocated send buffer ({@link RtnlRequests}), and {@link NetlinkRequester} sends
 * it and reads the replies in place ({@link RtnlReplies}) until the kernel's ack, error or end of dump.
 * A refusal becomes a {@link NetlinkException} with errno and the kernel's own explanation.
 *
 * <p>Calls are serialised (one request in flight per socket); a handful of microseconds of JNA on
 * top of the kernel's work, so replacing a group's members takes well under a millisecond.
 * {@link #openIn} acts inside a named network namespace (tests, demo, lab).
 */
public final class Netlink implements AutoCloseable {
    /** The route and nexthop protocol number Braid tags everything it installs with. */
    public static final int RTPROT_BRAID = 98;
    /** Pass to {@link #routes(int)} for routes of every protocol. */
    public static final int ANY_PROTOCOL = -1;

    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(5);

    private final NetlinkSocket socket;
    private final NamespaceThread namespace; // null: the namespace the opening thread was in
    private final Sysctl sysctl;
    private final NetlinkRequester requester;
    private final NetlinkMessageWriter writer;

    private Netlink(NetlinkSocket socket, NamespaceThread namespace) {
        this.socket = socket;
        this.namespace = namespace;
        this.sysctl = namespace == null ? Sysctl.host() : Sysctl.on(namespace);
        this.requester = new NetlinkRequester(socket);
        this.writer = requester.writer();
    }

    /** Opens a socket in the calling thread's network namespace. */
    public static Netlink open() {
        return new Netlink(NetlinkSocket.open(REPLY_TIMEOUT), null);
    }

    /**
     * Opens a socket inside {@code /var/run/netns/<namespaceName>}. The namespace's thread is kept
     * for {@link #sysctl()} and ended by {@link #close()}.
     */
    public static Netlink openIn(String namespaceName) {
        NamespaceThread thread = NamespaceThread.enter(namespaceName);
        try {
            NetlinkSocket s = thread.call(() -> NetlinkSocket.open(REPLY_TIMEOUT));
            return new Netlink(s, thread);
        } catch (RuntimeException e) {
            thread.close();
            throw e;
        }
    }

    /** Sysctls of the same network namespace as this socket. */
    public Sysctl sysctl() {
        return sysctl;
    }

    /** The namespace given to {@link #openIn}, empty for {@link #open}. */
    public Optional<String> namespaceName() {
        return namespace == null ? Optional.empty() : Optional.of(namespace.namespaceName());
    }

    // ------------------------------------------------------------------ links

    public OptionalInt linkIndex(String name) {
        return link(name).map(l -> OptionalInt.of(l.index())).orElse(OptionalInt.empty());
    }

    public synchronized Optional<LinkInfo> link(String name) {
        checkLinkName(name);
        int seq = next();
        RtnlRequests.getLink(writer, seq, name);
        List<LinkInfo> out = new ArrayList<>(1);
        boolean found = get("get link " + name + " (RTM_GETLINK)", seq, RTM_NEWLINK,
                m -> out.add(RtnlReplies.link(m)), Errno.ENODEV);
        return found && !out.isEmpty() ? Optional.of(out.getFirst()) : Optional.empty();
    }

    public synchronized List<LinkInfo> links() {
        List<LinkInfo> out = new ArrayList<>();
        dump("list links (RTM_GETLINK dump)", RTM_NEWLINK, RtnlRequests::dumpLinks,
                m -> out.add(RtnlReplies.link(m)), out::clear);
        return out;
    }

    /**
     * Creates a {@code dummy} link (down). Throws {@link LinkTypeUnsupportedException} when the
     * kernel has no dummy type, and {@link NetlinkException} EEXIST when the name is taken.
     */
    public synchronized void createDummy(String name) {
        checkLinkName(name);
        int seq = next();
        RtnlRequests.createLink(writer, seq, name, "dummy");
        String op = "create link " + name + " type dummy (RTM_NEWLINK)";
        try {
            execute(op, seq);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EOPNOTSUPP) {
                throw new LinkTypeUnsupportedException(op, "dummy", e.errno(), e.kernelMessage());
            }
            throw e;
        }
    }

    public synchronized void setUp(String name, boolean up) {
        int index = requireLink(name);
        int seq = next();
        RtnlRequests.setLinkFlags(writer, seq, index, up ? IFF_UP : 0, IFF_UP);
        execute("set link " + name + (up ? " up" : " down") + " (RTM_NEWLINK)", seq);
    }

    public synchronized void setMtu(String name, int mtuBytes) {
        int index = requireLink(name);
        int seq = next();
        RtnlRequests.setMtu(writer, seq, index, mtuBytes);
        execute("set link " + name + " mtu " + mtuBytes + " (RTM_NEWLINK)", seq);
    }

    /** Deletes by name; ENODEV when there is no such link. */
    public synchronized void deleteLink(String name) {
        checkLinkName(name);
        int seq = next();
        RtnlRequests.deleteLink(writer, seq, name);
        execute("delete link " + name + " (RTM_DELLINK)", seq);
    }

    // ------------------------------------------------------------------ addresses

    /** Adds an address; EEXIST when the link already has it. */
    public synchronized void addAddress(String ifname, IpPrefix address) {
        int index = requireLink(ifname);
        int seq = next();
        RtnlRequests.address(writer, seq, true, index, address);
        execute("add address " + address + " dev " + ifname + " (RTM_NEWADDR)", seq);
    }

    /** Removes an address; EADDRNOTAVAIL when the link does not have it, ENODEV when the link is gone. */
    public synchronized void deleteAddress(String ifname, IpPrefix address) {
        int index = requireLink(ifname);
        int seq = next();
        RtnlRequests.address(writer, seq, false, index, address);
        execute("delete address " + address + " dev " + ifname + " (RTM_DELADDR)", seq);
    }

    /** IPv4 and IPv6 addresses of a link (including kernel-made IPv6 link-local ones). */
    public synchronized List<IpPrefix> addresses(String ifname) {
        int index = requireLink(ifname);
        List<IpPrefix> out = new ArrayList<>();
        dump("list addresses of " + ifname + " (RTM_GETADDR dump)", RTM_NEWADDR,
                (w, seq) -> RtnlRequests.dumpAddresses(w, seq, index), m -> {
                    RtnlReplies.Address a = RtnlReplies.address(m);
                    if (a != null && a.index() == index) {
                        out.add(a.prefix());
                    }
                }, out::clear);
        return out;
    }

    // ------------------------------------------------------------------ nexthops

    /** An IPv4 device nexthop ("ip nexthop add id ID dev IFNAME proto P"). */
    public void addDeviceNexthop(int id, String ifname, int protocol) {
        addDeviceNexthop(id, ifname, false, protocol);
    }

    /**
     * A device nexthop for IPv4 or IPv6 routes. The kernel refuses it (ENETDOWN) while the link is
     * down or has no carrier — a TUN has carrier only while a process holds it open — and removes
     * it by itself when the carrier goes away later.
     */
    public synchronized void addDeviceNexthop(int id, String ifname, boolean ipv6, int protocol) {
        checkId(id);
        int index = requireLink(ifname);
        int seq = next();
        RtnlRequests.addDeviceNexthop(writer, seq, id, ipv6 ? AF_INET6 : AF_INET, index, protocol);
        execute("add nexthop " + id + " dev " + ifname + (ipv6 ? " (ipv6)" : "") + " (RTM_NEWNEXTHOP)", seq);
    }

    /**
     * Creates a resilient group, or replaces the member list (and timers) of an existing one. The
     * bucket count cannot change on an existing group (the kernel says so).
     */
    public synchronized void addOrReplaceResilientGroup(int id, List<Integer> members, ResilientParams params,
                                                        int protocol) {
        checkGroup(id, members);
        Objects.requireNonNull(params, "params");
        int seq = next();
        RtnlRequests.resilientGroup(writer, seq, id, members, params, protocol);
        execute("set resilient nexthop group " + id + " members " + members + " " + params + " (RTM_NEWNEXTHOP)",
                seq);
    }

    /**
     * Replaces only the member list of an existing resilient group, keeping buckets and timers:
     * the fast path for withdrawing or restoring a path. ENOENT when the group does not exist.
     */
    public synchronized void replaceResilientGroupMembers(int id, List<Integer> members, int protocol) {
        checkGroup(id, members);
        int seq = next();
        RtnlRequests.resilientGroup(writer, seq, id, members, null, protocol);
        execute("replace members of nexthop group " + id + " with " + members + " (RTM_NEWNEXTHOP)", seq);
    }

    /** Deletes a nexthop or group; ENOENT when it does not exist. Routes using it go with it. */
    public synchronized void deleteNexthop(int id) {
        checkId(id);
        int seq = next();
        RtnlRequests.deleteNexthop(writer, seq, id);
        execute("delete nexthop " + id + " (RTM_DELNEXTHOP)", seq);
    }

    public synchronized Optional<NexthopInfo> nexthop(int id) {
        checkId(id);
        Map<Integer, String> names = linkNames();
        int seq = next();
        RtnlRequests.getNexthop(writer, seq, id);
        List<NexthopInfo> out = new ArrayList<>(1);
        boolean found = get("get nexthop " + id + " (RTM_GETNEXTHOP)", seq, RTM_NEWNEXTHOP,
                m -> out.add(RtnlReplies.nexthop(m, names::get)), Errno.ENOENT);
        return found && !out.isEmpty() ? Optional.of(out.getFirst()) : Optional.empty();
    }

    /** Every nexthop object and group of the namespace, in id order as the kernel dumps them. */
    public synchronized List<NexthopInfo> nexthops() {
        Map<Integer, String> names = linkNames();
        List<NexthopInfo> out = new ArrayList<>();
        dump("list nexthops (RTM_GETNEXTHOP dump)", RTM_NEWNEXTHOP, RtnlRequests::dumpNexthops,
                m -> out.add(RtnlReplies.nexthop(m, names::get)), out::clear);
        return out;
    }

    // ------------------------------------------------------------------ routes

    /**
     * Adds or replaces a main-table route to {@code destination} through nexthop (group)
     * {@code nexthopId}, with preferred source {@code preferredSource} (null for none; it must be a
     * local address of the same family).
     */
    public void replaceRoute(IpPrefix destination, int nexthopId, InetAddress preferredSource, int protocol) {
        replaceRoute(RT_TABLE_MAIN, destination, nexthopId, preferredSource, protocol);
    }

    /** As {@link #replaceRoute(IpPrefix, int, InetAddress, int)}, in routing table {@code table}. */
    public synchronized void replaceRoute(int table, IpPrefix destination, int nexthopId, InetAddress preferredSource,
                                          int protocol) {
        checkId(nexthopId);
        if (preferredSource != null && preferredSource.getAddress().length != destination.addressBytes()) {
            throw new IllegalArgumentException("preferred source " + IpPrefix.formatAddress(preferredSource)
                    + " is not of the same family as " + destination);
        }
        int seq = next();
        RtnlRequests.replaceRoute(writer, seq, table, destination, nexthopId, preferredSource, protocol);
        execute("replace route " + destination + " nhid " + nexthopId
                + (preferredSource == null ? "" : " src " + IpPrefix.formatAddress(preferredSource))
                + " proto " + protocol + tableText(table) + " (RTM_NEWROUTE)", seq);
    }

    /** Creates or replaces the main-table route to {@code destination} with an `unreachable` route. */
    public void replaceUnreachableRoute(IpPrefix destination, int protocol) {
        replaceUnreachableRoute(RT_TABLE_MAIN, destination, protocol);
    }

    public synchronized void replaceUnreachableRoute(int table, IpPrefix destination, int protocol) {
        int seq = next();
        RtnlRequests.replaceUnreachableRoute(writer, seq, table, destination, protocol);
        execute("replace route unreachable " + destination + " proto " + protocol + tableText(table)
                + " (RTM_NEWROUTE)", seq);
    }

    /** Deletes the main-table route to {@code destination} installed with {@code protocol}; ESRCH if none. */
    public void deleteRoute(IpPrefix destination, int protocol) {
        deleteRoute(RT_TABLE_MAIN, destination, protocol);
    }

    public synchronized void deleteRoute(int table, IpPrefix destination, int protocol) {
        int seq = next();
        RtnlRequests.deleteRoute(writer, seq, table, destination, protocol);
        execute("delete route " + destination + " proto " + protocol + tableText(table) + " (RTM_DELROUTE)", seq);
    }

    /** Main-table unicast and unreachable routes, IPv4 then IPv6, of {@code protocol} (or {@link #ANY_PROTOCOL}). */
    public List<RouteInfo> routes(int protocol) {
        return routes(RT_TABLE_MAIN, protocol);
    }

    /** As {@link #routes(int)}, in routing table {@code table}. */
    public synchronized List<RouteInfo> routes(int table, int protocol) {
        Map<Integer, String> names = linkNames();
        List<RouteInfo> out = new ArrayList<>();
        for (int family : new int[] {AF_INET, AF_INET6}) {
            List<RouteInfo> part = new ArrayList<>();
            int filter = protocol == ANY_PROTOCOL ? 0 : protocol;
            try {
                dump("list routes" + tableText(table) + " (RTM_GETROUTE dump)", RTM_NEWROUTE,
                        (w, seq) -> RtnlRequests.dumpRoutes(w, seq, table, family, filter), m -> {
                            RouteInfo r = RtnlReplies.route(m, names::get);
                            if (r.table() == table && (r.type() == RTN_UNICAST || r.type() == Rtnl.RTN_UNREACHABLE)
                                    && (protocol == ANY_PROTOCOL || r.protocol() == protocol)) {
                                part.add(r);
                            }
                        }, part::clear);
            } catch (NetlinkException e) {
                if (e.errno() != Errno.ENOENT || table == RT_TABLE_MAIN) {
                    throw e;
                }
                // "FIB table does not exist": the kernel makes a table with its first route
                part.clear();
            }
            out.addAll(part);
        }
        return out;
    }

    /** Adds policy rule {@code rule} installed by {@code protocol}; EEXIST when an identical rule is there. */
    public synchronized void addRule(ProtocolRule rule, int protocol) {
        int seq = next();
        RtnlRequests.addRule(writer, seq, rule, protocol);
        execute("add rule " + rule + " protocol " + protocol + " (RTM_NEWRULE)", seq);
    }

    /** Deletes policy rule {@code rule} installed by {@code protocol}; ENOENT when there is none. */
    public synchronized void deleteRule(ProtocolRule rule, int protocol) {
        int seq = next();
        RtnlRequests.deleteRule(writer, seq, rule, protocol);
        execute("delete rule " + rule + " protocol " + protocol + " (RTM_DELRULE)", seq);
    }

    @Override
    public void close() {
        socket.close();
        if (namespace != null) {
            namespace.close();
        }
    }

    @Override
    public String toString() {
        return "Netlink[" + namespaceName().map(n -> "netns " + n).orElse("own namespace") + "]";
    }

    // ------------------------------------------------------------------ helpers

    private int next() {
        return requester.nextSequence();
    }

    private void execute(String operation, int seq) {
        requester.execute(operation, seq);
    }

    private boolean get(String operation, int seq, int replyType, Consumer<NetlinkMessageReader> onObject,
                        int absentErrno) {
        return requester.get(operation, seq, replyType, onObject, absentErrno);
    }

    private void dump(String operation, int replyType, NetlinkRequester.RequestEncoder encoder,
                      Consumer<NetlinkMessageReader> onObject, Runnable reset) {
        requester.dump(operation, replyType, encoder, onObject, reset);
    }

    private Map<Integer, String> linkNames() {
        return links().stream().collect(Collectors.toMap(LinkInfo::index, LinkInfo::name, (a, b) -> a, HashMap::new));
    }

    private int requireLink(String name) {
        return linkIndex(name).orElseThrow(() -> new NetlinkException("find link " + name, Errno.ENODEV,
                "no link named " + name + namespaceName().map(n -> " in netns " + n).orElse("")));
    }

    private static String tableText(int table) {
        return table == RT_TABLE_MAIN ? "" : " table " + Integer.toUnsignedString(table);
    }

    private static void checkLinkName(String name) {
        if (name == null || name.isEmpty() || name.length() > 15 || name.contains("/") || name.chars()
                .anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("bad link name \"" + name + "\": 1..15 characters, no '/' or spaces");
        }
    }

    private static void checkId(int id) {
        if (id <= 0) {
            throw new IllegalArgumentException("nexthop id must be positive, got " + id);
        }
    }

    private static void checkGroup(int id, List<Integer> members) {
        checkId(id);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("nexthop group " + id + " needs at least one member");
        }
        if (members.stream().distinct().count() != members.size()) {
            throw new IllegalArgumentException("nexthop group " + id + " lists a member twice: " + members);
        }
        members.forEach(Netlink::checkId);
    }
}
