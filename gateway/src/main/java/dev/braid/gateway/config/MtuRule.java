package dev.braid.gateway.config;

/**
 * The tunnel MTU that {@code mtu: auto} picks, as wg-quick reasons: an encrypted packet carries
 * 32 bytes of WireGuard header and tag plus UDP (8) plus the outer IP header (20 for IPv4, 40 for
 * IPv6), rounded up to 60 / 80. A DNS name may resolve to either family, so it gets the IPv6 figure,
 * which is safe for both.
 */
public final class MtuRule {
    public static final int IPV4_OVERHEAD_BYTES = 60;
    public static final int IPV6_OVERHEAD_BYTES = 80;

    private MtuRule() {
    }

    public static int overheadBytes(HostPort.HostKind endpointKind) {
        return endpointKind == HostPort.HostKind.IPV4 ? IPV4_OVERHEAD_BYTES : IPV6_OVERHEAD_BYTES;
    }

    public static int autoMtuBytes(int underlayMtuBytes, HostPort.HostKind endpointKind) {
        return underlayMtuBytes - overheadBytes(endpointKind);
    }
}
