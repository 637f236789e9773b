package dev.braid.ecmp;

import java.util.Objects;

/**
 * One worker's path as the supervisor planned it: its TUN, the TUN's /30 (host address with prefix,
 * e.g. 10.14.0.1/30) and the id of the nexthop object that will point at the TUN.
 *
 * @param nexthopId   1 .. {@link SiteRouting#MAX_ID}; unique per site, different from the group id
 * @param ifname      the TUN, created by the caller
 * @param linkAddress this side's address on the TUN with its prefix length
 * @param mtuBytes    MTU to set on the TUN, 0 to leave it
 */
public record PathSpec(int nexthopId, String ifname, IpPrefix linkAddress, int mtuBytes) {
    public PathSpec {
        Objects.requireNonNull(ifname, "ifname");
        Objects.requireNonNull(linkAddress, "linkAddress");
        if (nexthopId < 1 || nexthopId > SiteRouting.MAX_ID) {
            throw new IllegalArgumentException("nexthop id must be 1.." + SiteRouting.MAX_ID + ", got " + nexthopId);
        }
        if (mtuBytes != 0 && (mtuBytes < 576 || mtuBytes > 65535)) {
            throw new IllegalArgumentException("MTU " + mtuBytes + " out of range 576..65535 (or 0 to leave it)");
        }
    }

    public PathSpec(int nexthopId, String ifname, IpPrefix linkAddress) {
        this(nexthopId, ifname, linkAddress, 0);
    }
}
