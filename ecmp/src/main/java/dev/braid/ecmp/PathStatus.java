package dev.braid.ecmp;

/**
 * A path after {@link SiteRouting#configurePath}: address and link state are set; the nexthop
 * exists only once the TUN has carrier (its worker has opened it), because the kernel refuses a
 * device nexthop on a link without carrier.
 */
public record PathStatus(int nexthopId, String ifname, boolean carrier, boolean nexthopPresent, String detail) {
}
