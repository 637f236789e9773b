package dev.braid.gateway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import dev.braid.ecmp.IpPrefix;

/**
 * One site's settings after loading: every default applied, every value checked on its own and
 * against the others (see {@link SiteConfigLoader}), key files read. Checks that need the worker
 * count (port ranges, link pool size, CPU plan) are the planner's, because {@code workers: auto}
 * depends on the machine. Immutable; lists are copies.
 *
 * @param source                where each setting came from, for errors found after loading
 * @param site                  the site's name ([a-z0-9][a-z0-9-]{0,23}); names the state dir
 * @param privateKeyFile        the site's private key (the workers read it themselves)
 * @param localPublicKey        the public key of {@code privateKeyFile}
 * @param workerCount           the number of workers; empty for {@code auto} (one per usable core)
 * @param workerCpus            worker i's CPU is workerCpus[i] (cyclic with oversubscription); empty: planned
 * @param linkPool              IPv4 prefix cut into one /30 per worker
 * @param tunPrefix             worker i's TUN is named tunPrefix + i
 * @param localPrefixes         this site's LANs (overlap checks; documentation)
 * @param mtuBytes              the tunnel MTU; empty for {@code auto} (underlay minus overhead)
 * @param underlayMtuBytes      the MTU of the path to the peer
 * @param stateDir              journal, counters files, control socket
 * @param nexthopIdBase         the nexthop group's id; worker i's nexthop is base + 1 + i
 */
public record SiteConfig(
        ConfigSource source,
        String site,
        Path privateKeyFile,
        WireGuardPublicKey localPublicKey,
        Peer peer,
        int basePort,
        OptionalInt workerCount,
        boolean allowOversubscription,
        List<Integer> workerCpus,
        IpPrefix linkPool,
        String tunPrefix,
        Floating floating,
        Remote remote,
        List<IpPrefix> localPrefixes,
        OptionalInt mtuBytes,
        int underlayMtuBytes,
        Health health,
        Metrics metrics,
        Path stateDir,
        long nexthopIdBase) {

    public SiteConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(privateKeyFile, "privateKeyFile");
        Objects.requireNonNull(localPublicKey, "localPublicKey");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(workerCount, "workerCount");
        Objects.requireNonNull(linkPool, "linkPool");
        Objects.requireNonNull(tunPrefix, "tunPrefix");
        Objects.requireNonNull(floating, "floating");
        Objects.requireNonNull(remote, "remote");
        localPrefixes = List.copyOf(localPrefixes);
        workerCpus = List.copyOf(workerCpus);
        Objects.requireNonNull(mtuBytes, "mtuBytes");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(stateDir, "stateDir");
    }

    /**
     * @param endpoint          where the peer's worker 0 listens; worker i sends to endpoint port + i
     * @param presharedKeyFile  optional extra symmetric key (WireGuard's psk), same on both sites
     */
    public record Peer(WireGuardPublicKey publicKey, HostPort endpoint, Optional<Path> presharedKeyFile) {
        public Peer {
            Objects.requireNonNull(publicKey, "publicKey");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(presharedKeyFile, "presharedKeyFile");
        }
    }

    /** This site's floating address (a /32 or /128) and the link it lives on. */
    public record Floating(IpPrefix address, String interfaceName) {
        public Floating {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(interfaceName, "interfaceName");
        }
    }

    /** The other site: its floating address and the LAN prefixes routed to it through the tunnel. */
    public record Remote(IpPrefix floatingAddress, List<IpPrefix> prefixes) {
        public Remote {
            Objects.requireNonNull(floatingAddress, "floatingAddress");
            prefixes = List.copyOf(prefixes);
        }
    }

    /**
     * @param keepaliveIntervalMs    how often each worker proves its path alive
     * @param deadAfterMs            a path without an authenticated receive for this long is withdrawn
     * @param restartBackoffMaxSeconds the longest wait between restarts of a crashing worker
     */
    public record Health(int keepaliveIntervalMs, int deadAfterMs, int restartBackoffMaxSeconds) {
    }

    /** Where the supervisor serves Prometheus /metrics; empty when {@code listen: off}. */
    public record Metrics(Optional<HostPort> listen) {
        public Metrics {
            Objects.requireNonNull(listen, "listen");
        }

        public boolean enabled() {
            return listen.isPresent();
        }
    }
}
