package dev.braid.gateway.plan;

import java.util.Objects;

import dev.braid.ecmp.IpPrefix;

/**
 * Everything about worker i that both the supervisor (routes, TUN, pinning) and the worker's
 * command line need. Both sites derive the same pairing: our worker i talks to their worker i.
 *
 * @param index            0..N-1
 * @param cpu              the logical CPU the worker's loop thread pins itself to
 * @param listenPort       our UDP port: listen.base_port + index
 * @param peerPort         the peer worker's UDP port: the endpoint's port + index
 * @param tunName          tun_prefix + index
 * @param localLinkAddress our address on this worker's /30 (e.g. 10.14.0.1/30)
 * @param peerLinkAddress  the peer's address on the same /30 (the nexthop of this worker's route)
 * @param nexthopId        the kernel nexthop object's id: nexthop_id_base + 1 + index
 */
public record WorkerPlan(int index, int cpu, int listenPort, int peerPort, String tunName,
                         IpPrefix localLinkAddress, IpPrefix peerLinkAddress, long nexthopId) {
    public WorkerPlan {
        Objects.requireNonNull(tunName, "tunName");
        Objects.requireNonNull(localLinkAddress, "localLinkAddress");
        Objects.requireNonNull(peerLinkAddress, "peerLinkAddress");
    }
}
