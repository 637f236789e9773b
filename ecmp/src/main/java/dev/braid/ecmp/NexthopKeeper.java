package dev.braid.ecmp;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes sure the nexthop objects of {@link SiteRouting}'s paths and groups exist as planned,
 * journaling each creation first. Works from one {@link Snapshot} of the kernel's links and
 * nexthops per call, so reconciling N paths costs two dumps, not 2N requests.
 */
final class NexthopKeeper {
    private final Netlink netlink;
    private final ChangeJournal journal;

    NexthopKeeper(Netlink netlink, ChangeJournal journal) {
        this.netlink = netlink;
        this.journal = journal;
    }

    /** The kernel's links by name and nexthops by id at one moment. */
    record Snapshot(Map<String, LinkInfo> links, Map<Integer, NexthopInfo> nexthops) {
    }

    Snapshot snapshot() {
        Map<String, LinkInfo> links = new HashMap<>();
        for (LinkInfo l : netlink.links()) {
            links.put(l.name(), l);
        }
        Map<Integer, NexthopInfo> nexthops = new HashMap<>();
        for (NexthopInfo n : netlink.nexthops()) {
            nexthops.put(n.id(), n);
        }
        return new Snapshot(links, nexthops);
    }

    /** ready: the path's nexthop(s) exist now; detail says why not. */
    record Result(boolean carrier, boolean ready, String detail) {
    }

    Result ensure(PathSpec path, boolean ipv6, Snapshot snapshot) {
        LinkInfo link = snapshot.links().get(path.ifname());
        if (link == null) {
            return new Result(false, false, "link " + path.ifname() + " does not exist");
        }
        Optional<String> problem = ensureOne(path.nexthopId(), link, false, snapshot);
        if (problem.isEmpty() && ipv6) {
            problem = ensureOne(SiteRouting.ipv6TwinId(path.nexthopId()), link, true, snapshot);
        }
        return new Result(link.carrier(), problem.isEmpty(), problem.orElse("nexthop ready"));
    }

    /** Empty when the nexthop exists (now); otherwise why it cannot be made yet. */
    private Optional<String> ensureOne(int id, LinkInfo link, boolean ipv6, Snapshot snapshot) {
        int family = ipv6 ? Rtnl.AF_INET6 : Rtnl.AF_INET;
        NexthopInfo existing = snapshot.nexthops().get(id);
        if (existing != null) {
            if (existing.protocol() != Netlink.RTPROT_BRAID) {
                throw new IllegalStateException("nexthop id " + id + " exists and is not Braid's (" + existing
                        + "): choose other ids in the plan or remove it");
            }
            if (!existing.isGroup() && existing.ifindex() == link.index() && existing.family() == family) {
                return Optional.empty();
            }
            // Braid's, but pointing elsewhere (a plan changed under a running site): make it anew
            netlink.deleteNexthop(id);
        }
        if (!link.isUp()) {
            return Optional.of(link.name() + " is down");
        }
        if (!link.carrier()) {
            return Optional.of(link.name() + " has no carrier (no worker holds the TUN open)");
        }
        journal.append(new JournalEntry.NexthopAdded(id));
        try {
            netlink.addDeviceNexthop(id, link.name(), ipv6, Netlink.RTPROT_BRAID);
            return Optional.empty();
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENETDOWN) {
                // carrier went away between the snapshot and the request
                return Optional.of(link.name() + ": " + e.kernelMessage());
            }
            throw e;
        }
    }

    /**
     * Creates or replaces group {@code id}; refuses to touch a nexthop id that is not Braid's.
     * Returns true when the group did not exist before (or had to be made anew), which means the
     * routes through it are gone too and must be installed again.
     */
    boolean setGroup(int id, List<Integer> members, ResilientParams params, Snapshot snapshot) {
        NexthopInfo existing = snapshot.nexthops().get(id);
        boolean fresh = existing == null;
        if (existing != null) {
            if (existing.protocol() != Netlink.RTPROT_BRAID) {
                throw new IllegalStateException("nexthop id " + id + " exists and is not Braid's (" + existing
                        + "): choose another group id or remove it");
            }
            boolean sameShape = existing.groupType() == NexthopInfo.GroupType.RESILIENT
                    && existing.resilient().map(r -> r.buckets() == params.buckets()).orElse(false);
            if (!sameShape) {
                // the kernel cannot change a group's type or bucket count in place
                netlink.deleteNexthop(id);
                fresh = true;
            }
        }
        journal.append(new JournalEntry.NexthopAdded(id));
        netlink.addOrReplaceResilientGroup(id, members, params, Netlink.RTPROT_BRAID);
        return fresh;
    }
}
