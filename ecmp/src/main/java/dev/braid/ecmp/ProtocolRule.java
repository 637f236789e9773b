package dev.braid.ecmp;

/**
 * A routing policy rule "from all ipproto P lookup T" at one priority: packets of one IP protocol
 * consult table T before the main table. Braid uses one per address family to send ICMP over a
 * single path (see {@link SiteRouting#icmpTableId}); a lookup that finds no route in T falls through
 * to the next rule, so the rule affects only destinations T routes.
 *
 * @param family     {@link Rtnl#AF_INET} or {@link Rtnl#AF_INET6}
 * @param ipProtocol the IP protocol number matched (FRA_IP_PROTO)
 * @param priority   the rule's priority (lower is consulted first; the main table's rule is 32766)
 * @param table      the table looked up on a match
 */
public record ProtocolRule(int family, int ipProtocol, int priority, int table) {
    public ProtocolRule {
        if (family != Rtnl.AF_INET && family != Rtnl.AF_INET6) {
            throw new IllegalArgumentException("rule family must be AF_INET or AF_INET6, got " + family);
        }
        if (ipProtocol < 1 || ipProtocol > 255) {
            throw new IllegalArgumentException("ip protocol must be 1..255, got " + ipProtocol);
        }
        if (priority < 1 || priority >= 32766) {
            throw new IllegalArgumentException("rule priority must be 1..32765 (after local, before main), got " + priority);
        }
        if (table < 256) {
            throw new IllegalArgumentException("rule table must be above 255 (not a reserved table), got " + table);
        }
    }

    /** ICMP (IPv4) or ICMPv6 (IPv6) to {@code table}. */
    public static ProtocolRule icmp(boolean ipv6, int priority, int table) {
        return ipv6 ? new ProtocolRule(Rtnl.AF_INET6, Rtnl.IPPROTO_ICMPV6, priority, table)
                : new ProtocolRule(Rtnl.AF_INET, Rtnl.IPPROTO_ICMP, priority, table);
    }

    public boolean isIpv6() {
        return family == Rtnl.AF_INET6;
    }

    /** As `ip rule` takes it (and the change journal writes it). */
    @Override
    public String toString() {
        return (isIpv6() ? "inet6" : "inet") + " ipproto " + ipProtocol + " priority " + priority
                + " table " + Integer.toUnsignedString(table);
    }
}
