package dev.braid.gateway.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import dev.braid.ecmp.IpPrefix;
import dev.braid.gateway.config.ConfigError;
import dev.braid.gateway.config.ConfigException;
import dev.braid.gateway.config.ConfigSource;
import dev.braid.gateway.config.HostPort;
import dev.braid.gateway.config.MtuRule;
import dev.braid.gateway.config.SiteConfig;
import dev.braid.gateway.config.SiteConfigLoader;
import dev.braid.pinning.CpuPlan;
import dev.braid.pinning.CpuTopology;

/**
 * Config + this machine's CPUs → {@link SitePlan}. It settles the worker count ({@code auto} asks
 * the CPU planner), makes the checks only a known count allows (port ranges, link pool size, TUN
 * name length, nexthop ids, enough CPUs) and reports them like the loader does, located in the
 * config file. Then it lays out worker i by the rules both sites apply independently: port =
 * base + i, link = i-th /30 of link_pool, the site with the lower public key takes .1, nexthop id =
 * base + 1 + i. Reads nothing but the topology it is given; changes nothing.
 */
public final class SitePlanner {
    public static final int LINK_PREFIX_LENGTH = 30;
    /** Nexthop ids above this are the IPv6 twins of the ones below (see SiteRouting). */
    private static final long MAX_NEXTHOP_ID = dev.braid.ecmp.SiteRouting.MAX_ID;

    private final Supplier<CpuTopology> topologySource;
    private final CpuPlanner cpuPlanner;

    /**
     * @param topologySource read once per {@link #plan} call
     * @param cpuPlanner     the worker → CPU decisions (see {@link CpuPlanner#standard()})
     */
    public SitePlanner(Supplier<CpuTopology> topologySource, CpuPlanner cpuPlanner) {
        this.topologySource = Objects.requireNonNull(topologySource, "topologySource");
        this.cpuPlanner = Objects.requireNonNull(cpuPlanner, "cpuPlanner");
    }

    /** Plans against the CPUs of the machine this JVM runs on, with the pinning module's planner. */
    public static SitePlanner forThisMachine() {
        return new SitePlanner(CpuTopology::readLocal, CpuPlanner.standard());
    }

    /** @throws ConfigException when the config cannot run with the worker count it asks for (or gets) */
    public SitePlan plan(SiteConfig config) throws ConfigException {
        ConfigSource source = config.source();
        CpuTopology topology = topologySource.get();
        List<ConfigError> errors = new ArrayList<>();
        List<String> notes = new ArrayList<>();

        int workers = workerCount(config, topology, errors, notes);
        if (workers < 1) {
            throw new ConfigException(errors);
        }
        checkFits(config, workers, errors);
        CpuPlan cpuPlan = null;
        try {
            cpuPlan = config.workerCpus().isEmpty()
                    ? cpuPlanner.plan(topology, workers, config.allowOversubscription())
                    : explicitCpus(config, topology, workers, errors);
            if (cpuPlan != null && cpuPlan.workerCpus().size() != workers) {
                throw new IllegalStateException("the CPU planner returned " + cpuPlan.workerCpus().size() + " CPUs for " + workers + " workers");
            }
        } catch (CpuPlan.CpuPlanException e) {
            errors.add(source.error("workers", e.getMessage()
                    + (config.allowOversubscription() ? "" : " (lower workers, or set allow_oversubscription: true for labs and tests)")));
        }
        if (!errors.isEmpty() || cpuPlan == null) {
            throw new ConfigException(errors);
        }
        notes.addAll(cpuPlan.notes());
        int mtu = tunnelMtu(config, notes);

        boolean takesFirst = config.localPublicKey().compareTo(config.peer().publicKey()) < 0;
        List<WorkerPlan> workerPlans = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            IpPrefix link = config.linkPool().subnet(LINK_PREFIX_LENGTH, i);
            workerPlans.add(new WorkerPlan(i, cpuPlan.workerCpus().get(i),
                    config.basePort() + i,
                    config.peer().endpoint().port() + i,
                    config.tunPrefix() + i,
                    link.withHost(takesFirst ? 1 : 2),
                    link.withHost(takesFirst ? 2 : 1),
                    config.nexthopIdBase() + 1 + i));
        }
        List<IpPrefix> routed = new ArrayList<>();
        routed.add(config.remote().floatingAddress());
        routed.addAll(config.remote().prefixes());

        return new SitePlan(config, config.site(), config.localPublicKey(), config.peer().publicKey(),
                config.peer().endpoint().host(), takesFirst, workerPlans, cpuPlan.housekeepingCpu(),
                config.floating().address(), config.floating().interfaceName(), config.remote().floatingAddress(),
                routed, mtu, config.nexthopIdBase(), config.metrics(), config.stateDir(), notes);
    }

    /**
     * worker_cpus given: worker i runs on worker_cpus[i], each of which this process must be able to
     * use; more workers than listed CPUs only with allow_oversubscription (then the list repeats).
     * The housekeeping CPU is the highest usable CPU the list leaves free, if any.
     */
    private static CpuPlan explicitCpus(SiteConfig config, CpuTopology topology, int workers, List<ConfigError> errors) {
        List<Integer> listed = config.workerCpus();
        java.util.SortedSet<Integer> usable = topology.usableCpus();
        for (int k = 0; k < listed.size(); k++) {
            if (!usable.contains(listed.get(k))) {
                errors.add(config.source().error("worker_cpus[" + k + "]", "CPU " + listed.get(k)
                        + " is not one this process may use (usable: " + dev.braid.pinning.CpuList.format(usable) + ")"));
            }
        }
        if (workers > listed.size() && !config.allowOversubscription()) {
            errors.add(config.source().error("worker_cpus", workers + " workers but " + listed.size()
                    + " CPUs listed (list one per worker, or set allow_oversubscription: true to reuse them)"));
        }
        if (!errors.isEmpty()) {
            return null;
        }
        List<Integer> cpus = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            cpus.add(listed.get(i % listed.size()));
        }
        List<Integer> spare = usable.stream().filter(c -> !listed.contains(c)).toList();
        List<String> notes = new ArrayList<>(List.of("worker CPUs from worker_cpus: " + cpus));
        if (spare.isEmpty()) {
            notes.add("no CPU left for housekeeping: JVM helper threads share the worker CPUs");
        }
        return new CpuPlan(cpus, spare.isEmpty() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(spare.getLast()),
                notes);
    }

    private int workerCount(SiteConfig config, CpuTopology topology, List<ConfigError> errors, List<String> notes) {
        if (config.workerCount().isPresent()) {
            return config.workerCount().getAsInt();
        }
        if (!config.workerCpus().isEmpty()) {
            return config.workerCpus().size();
        }
        int auto = cpuPlanner.autoWorkerCount(topology);
        if (auto < 1) {
            errors.add(config.source().error("workers", "auto found no CPU core this process may use (set workers to a number"
                    + " and allow_oversubscription: true, or check the process's CPU affinity)"));
            return 0;
        }
        if (auto > SiteConfigLoader.MAX_WORKERS) {
            notes.add("workers: auto found " + auto + " usable cores; using " + SiteConfigLoader.MAX_WORKERS
                    + ", the most Braid runs; the other site must run as many");
            return SiteConfigLoader.MAX_WORKERS;
        }
        notes.add("workers: auto = " + auto + " (one per usable physical core); the other site must run " + auto
                + " workers too (worker i pairs with worker i): write the number in both configs if the machines differ");
        return auto;
    }

    /** The checks that depend on the worker count, each located at the setting to change. */
    private static void checkFits(SiteConfig config, int workers, List<ConfigError> errors) {
        ConfigSource source = config.source();
        int last = workers - 1;
        if (config.basePort() + last > 65535) {
            errors.add(source.error("listen.base_port", "worker " + last + " would listen on port " + (config.basePort() + last)
                    + ", past 65535 (with " + workers + " workers base_port is at most " + (65536 - workers) + ")"));
        }
        HostPort endpoint = config.peer().endpoint();
        if (endpoint.port() + last > 65535) {
            errors.add(source.error("peer.endpoint", "the peer's worker " + last + " would listen on port " + (endpoint.port() + last)
                    + ", past 65535 (with " + workers + " workers the endpoint port is at most " + (65536 - workers) + ")"));
        }
        long links = config.linkPool().subnetCount(LINK_PREFIX_LENGTH);
        if (links < workers) {
            int needed = LINK_PREFIX_LENGTH - (32 - Integer.numberOfLeadingZeros(workers - 1));
            errors.add(source.error("link_pool", config.linkPool() + " holds " + links + " /30 worker link" + (links == 1 ? "" : "s")
                    + " but " + workers + " workers need " + workers + " (use a /" + needed + " or larger, e.g. 10.14.0.0/24 for up to 64)"));
        }
        String lastTun = config.tunPrefix() + last;
        if (lastTun.length() > SiteConfigLoader.MAX_INTERFACE_NAME) {
            errors.add(source.error("tun_prefix", "worker " + last + "'s TUN name '" + lastTun + "' is longer than "
                    + SiteConfigLoader.MAX_INTERFACE_NAME + " characters (shorten tun_prefix)"));
        }
        if (config.nexthopIdBase() + workers > MAX_NEXTHOP_ID) {
            errors.add(source.error("nexthop_id_base", "worker " + last + "'s nexthop id " + (config.nexthopIdBase() + workers)
                    + " is above " + MAX_NEXTHOP_ID + ", the largest id Braid uses for IPv4 nexthops (use at most " + (MAX_NEXTHOP_ID - workers) + ")"));
        }
    }

    private static int tunnelMtu(SiteConfig config, List<String> notes) {
        HostPort.HostKind kind = config.peer().endpoint().kind();
        int overhead = MtuRule.overheadBytes(kind);
        int underlay = config.underlayMtuBytes();
        if (config.mtuBytes().isPresent()) {
            int mtu = config.mtuBytes().getAsInt();
            if (mtu + overhead > underlay) {
                notes.add("mtu " + mtu + " + " + overhead + " bytes of tunnel overhead exceeds underlay_mtu " + underlay
                        + ": full-size packets will be fragmented on the underlay (auto would pick " + (underlay - overhead) + ")");
            }
            return mtu;
        }
        if (kind == HostPort.HostKind.DNS_NAME) {
            notes.add("mtu auto assumes IPv6 overhead (" + overhead + " bytes) because the endpoint is a DNS name;"
                    + " set mtu: " + MtuRule.autoMtuBytes(underlay, HostPort.HostKind.IPV4) + " if the peer is reached over IPv4");
        }
        return MtuRule.autoMtuBytes(underlay, kind);
    }
}
