package dev.braid.gateway.status;

import java.util.List;
import java.util.Map;

/**
 * A running site as `braid status` shows it and /metrics exports it: one consistent snapshot,
 * taken on the supervisor's thread from its own state, the workers' counters files and the kernel.
 * Serialised to JSON for the control socket (`braid status --json` prints exactly that).
 *
 * @param groupMembers nexthop ids in the kernel's group right now (empty when absent)
 * @param routes       Braid's routes as the kernel has them, one per line, `ip route` style
 */
public record SiteStatus(
        String site,
        String version,
        long supervisorPid,
        double uptimeSeconds,
        String floatingAddress,
        String floatingInterface,
        String peerEndpoint,
        long groupId,
        String groupType,
        int groupBuckets,
        List<Long> groupMembers,
        boolean routesUnreachable,
        List<String> routes,
        List<WorkerStatus> workers) {

    /**
     * One worker and its path.
     *
     * @param process               starting | running | backoff | stopped
     * @param path                  up | down | pending (starting site, before the first handshake)
     * @param handshakeAgeSeconds   seconds since the last completed handshake, -1 if none
     * @param lastHandshakeEpochMillis wall-clock time of that handshake, 0 if none
     * @param udpRxBytes            UDP payload bytes received on the worker's port (wire bytes: WireGuard
     *                              headers and handshakes included)
     * @param lastReceiveAgeSeconds seconds since the last authenticated packet, -1 if none
     * @param endpoint              the peer worker's address:port as last seen, "" if unknown
     * @param drops                 every drop reason of the worker with its count (zeros included)
     * @param cpuSeconds            CPU time of the worker process (user + system)
     * @param aead                  the transport AEAD the worker runs: jdk-intrinsics, jdk-cipher (the
     *                              slower fallback), or unknown (not reported yet)
     */
    public record WorkerStatus(
            int index,
            int cpu,
            int listenPort,
            int peerPort,
            String tun,
            String localLinkAddress,
            String peerLinkAddress,
            long nexthopId,
            long pid,
            String process,
            boolean crashLooping,
            long restarts,
            int lastExitCode,
            String path,
            boolean inGroup,
            double handshakeAgeSeconds,
            long lastHandshakeEpochMillis,
            double lastReceiveAgeSeconds,
            String endpoint,
            long rxBytes,
            long txBytes,
            long rxPackets,
            long txPackets,
            long udpRxBytes,
            long udpTxBytes,
            long handshakes,
            long handshakeInitiationsSent,
            long handshakeInitiationsReceived,
            long keepalivesSent,
            long keepalivesReceived,
            Map<String, Long> drops,
            double cpuSeconds,
            String aead) {

        public long dropsTotal() {
            return drops.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
