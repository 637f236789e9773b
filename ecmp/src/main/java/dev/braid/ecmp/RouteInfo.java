package dev.braid.ecmp;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * A route of the main table as the kernel reports it (RTM_NEWROUTE in a dump). A route through a
 * nexthop object carries its id and, expanded by the kernel, the paths it currently resolves to.
 *
 * @param destination prefix ("0.0.0.0/0" for a default route)
 * @param table       routing table id (254 = main)
 * @param protocol    who installed it ({@link Netlink#RTPROT_BRAID} for Braid)
 * @param type        RTN_* (1 = unicast)
 * @param nexthopId   RTA_NH_ID, 0 when the route does not use a nexthop object
 * @param preferredSource RTA_PREFSRC
 * @param ifindex     RTA_OIF of a single-path route, 0 otherwise
 * @param ifname      that link's name, "" when unknown or none
 * @param gateway     RTA_GATEWAY of a single-path route
 * @param paths       RTA_MULTIPATH entries (for a route via a group: one per member)
 */
public record RouteInfo(IpPrefix destination, int table, int protocol, int type, int nexthopId,
                        Optional<InetAddress> preferredSource, int ifindex, String ifname, Optional<InetAddress> gateway,
                        List<Path> paths) {

    /** One entry of RTA_MULTIPATH. */
    public record Path(int ifindex, String ifname, int weight, int flags) {
        public boolean isDead() {
            return (flags & Rtnl.RTNH_F_DEAD) != 0;
        }

        public boolean isLinkDown() {
            return (flags & Rtnl.RTNH_F_LINKDOWN) != 0;
        }
    }

    public RouteInfo {
        paths = List.copyOf(paths);
    }

    public boolean isUnreachable() {
        return type == Rtnl.RTN_UNREACHABLE;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(isUnreachable() ? "unreachable " : "").append(destination);
        if (nexthopId != 0) {
            sb.append(" nhid ").append(nexthopId);
        }
        gateway.ifPresent(g -> sb.append(" via ").append(IpPrefix.formatAddress(g)));
        if (ifindex != 0) {
            sb.append(" dev ").append(ifname.isEmpty() ? "#" + ifindex : ifname);
        }
        preferredSource.ifPresent(s -> sb.append(" src ").append(IpPrefix.formatAddress(s)));
        sb.append(" proto ").append(protocol);
        if (table != Rtnl.RT_TABLE_MAIN) {
            sb.append(" table ").append(Integer.toUnsignedString(table));
        }
        for (Path p : paths) {
            sb.append(" [nexthop dev ").append(p.ifname().isEmpty() ? "#" + p.ifindex() : p.ifname())
                    .append(" weight ").append(p.weight()).append(p.isDead() ? " dead" : "")
                    .append(p.isLinkDown() ? " linkdown" : "").append(']');
        }
        return sb.toString();
    }
}
