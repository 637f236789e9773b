package dev.braid.ecmp;

/**
 * A network link as the kernel reports it (RTM_NEWLINK in reply to RTM_GETLINK).
 *
 * @param index    ifindex
 * @param name     interface name
 * @param kind     IFLA_INFO_KIND ("dummy", "tun", "veth", ...); empty for links without one (lo,
 *                 most physical NICs)
 * @param flags    IFF_* flags (IFF_UP = 0x1, IFF_RUNNING = 0x40, IFF_LOWER_UP = 0x10000, ...)
 * @param mtuBytes MTU
 * @param carrier  IFLA_CARRIER: for a TUN, true only while a process has it open
 */
public record LinkInfo(int index, String name, String kind, int flags, int mtuBytes, boolean carrier) {
    /** Administratively up (IFF_UP). */
    public boolean isUp() {
        return (flags & Rtnl.IFF_UP) != 0;
    }

    /** The driver signals layer 1 up (IFF_LOWER_UP). */
    public boolean isLowerUp() {
        return (flags & Rtnl.IFF_LOWER_UP) != 0;
    }

    public boolean isLoopback() {
        return (flags & Rtnl.IFF_LOOPBACK) != 0;
    }

    @Override
    public String toString() {
        return index + ": " + name + (kind.isEmpty() ? "" : " (" + kind + ")") + " mtu " + mtuBytes
                + (isUp() ? " UP" : " DOWN") + (isLowerUp() ? " LOWER_UP" : "") + (carrier ? "" : " NO-CARRIER");
    }
}
