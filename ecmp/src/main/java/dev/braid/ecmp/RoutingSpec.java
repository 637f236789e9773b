package dev.braid.ecmp;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * What the site routes over its paths: the remote floating /32 and the remote prefixes, through one
 * resilient group.
 *
 * @param groupId         id of the resilient group (IPv6 destinations use a twin group, see
 *                        {@link SiteRouting#ipv6TwinId})
 * @param destinations    remote prefixes, IPv4 and/or IPv6 (network addresses, no duplicates)
 * @param preferredSource the local floating address: source of packets the site itself sends over
 *                        the routes of its family; null for none
 * @param params          buckets and timers of the group(s)
 */
public record RoutingSpec(int groupId, List<IpPrefix> destinations, InetAddress preferredSource,
                          ResilientParams params) {
    public RoutingSpec {
        Objects.requireNonNull(destinations, "destinations");
        Objects.requireNonNull(params, "params");
        destinations = List.copyOf(destinations);
        if (groupId < 1 || groupId > SiteRouting.MAX_ID) {
            throw new IllegalArgumentException("group id must be 1.." + SiteRouting.MAX_ID + ", got " + groupId);
        }
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("no destinations to route");
        }
        for (IpPrefix d : destinations) {
            if (!d.isNetworkAddress()) {
                throw new IllegalArgumentException("destination " + d + " has host bits set; did you mean "
                        + d.network() + "?");
            }
        }
        if (destinations.stream().distinct().count() != destinations.size()) {
            throw new IllegalArgumentException("destination listed twice: " + destinations);
        }
    }

    public RoutingSpec(int groupId, List<IpPrefix> destinations, InetAddress preferredSource) {
        this(groupId, destinations, preferredSource, ResilientParams.DEFAULT);
    }

    public boolean hasIpv6() {
        return destinations.stream().anyMatch(IpPrefix::isIpv6);
    }
}
