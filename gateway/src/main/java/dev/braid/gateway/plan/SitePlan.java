package dev.braid.gateway.plan;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

import dev.braid.ecmp.IpPrefix;
import dev.braid.gateway.config.SiteConfig;
import dev.braid.gateway.config.WireGuardPublicKey;

/**
 * What a site will run and program, derived from its config and this machine's CPUs by
 * {@link SitePlanner}: the input of `braid check` (printed), of the supervisor (applied) and of
 * the tests that build both sites and check they mirror each other. Immutable.
 *
 * @param config            the config the plan was made from (key file paths, health settings, ...)
 * @param localPublicKey    ours, from private_key_file
 * @param peerEndpointHost  the peer's host as written (IP literal or DNS name); ports are per worker
 * @param takesFirstAddress true when our public key is the lower one: we take .1 of each /30
 * @param housekeepingCpu   the CPU for the supervisor and JVM helper threads, if one is spare
 * @param routedPrefixes    what goes through the tunnel: the remote floating address, then remote.prefixes
 * @param tunnelMtuBytes    the MTU of every worker TUN
 * @param nexthopGroupId    the resilient nexthop group the routes point at
 * @param notes             remarks worth a user's attention (CPU plan, MTU choice, ...)
 */
public record SitePlan(
        SiteConfig config,
        String site,
        WireGuardPublicKey localPublicKey,
        WireGuardPublicKey peerPublicKey,
        String peerEndpointHost,
        boolean takesFirstAddress,
        List<WorkerPlan> workers,
        OptionalInt housekeepingCpu,
        IpPrefix floatingAddress,
        String floatingInterface,
        IpPrefix remoteFloatingAddress,
        List<IpPrefix> routedPrefixes,
        int tunnelMtuBytes,
        long nexthopGroupId,
        SiteConfig.Metrics metrics,
        Path stateDir,
        List<String> notes) {

    public SitePlan {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(localPublicKey, "localPublicKey");
        Objects.requireNonNull(peerPublicKey, "peerPublicKey");
        Objects.requireNonNull(peerEndpointHost, "peerEndpointHost");
        workers = List.copyOf(workers);
        Objects.requireNonNull(housekeepingCpu, "housekeepingCpu");
        Objects.requireNonNull(floatingAddress, "floatingAddress");
        Objects.requireNonNull(floatingInterface, "floatingInterface");
        Objects.requireNonNull(remoteFloatingAddress, "remoteFloatingAddress");
        routedPrefixes = List.copyOf(routedPrefixes);
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(stateDir, "stateDir");
        notes = List.copyOf(notes);
    }

    public int workerCount() {
        return workers.size();
    }
}
