package dev.braid.gateway.supervisor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Collectors;

import dev.braid.ecmp.IpPrefix;
import dev.braid.gateway.plan.SitePlan;
import dev.braid.gateway.plan.WorkerPlan;
import dev.braid.instance.protocol.IntrinsicChaCha20Poly1305;

/**
 * The command line of worker i: the same JDK and class path as the supervisor, JVM options for a
 * single-threaded data plane, and `taskset` so that the JVM's own helper threads (JIT, GC, signal
 * dispatch) live on the housekeeping CPU while the loop thread pins itself to its worker CPU.
 * Without a spare CPU the whole process is confined to its worker CPU.
 */
final class WorkerLaunch {
    /**
     * Small fixed heap (the data path allocates little and keeps less), the serial collector (one
     * thread, short young pauses, nothing running beside the loop), no perf-data mmap writes, and
     * Netty's pools sized for one thread instead of two per CPU, and no buffer-leak sampling (it
     * builds a Throwable for one buffer in 128: ~95 stack traces a second per worker under load,
     * seen in a JFR recording). The instance module's netns tests start workers without this
     * option, so Netty's default sampling still watches the data path there.
     */
    static final List<String> JVM_OPTIONS = List.of(
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "-XX:+UseSerialGC",
            "-Xms96m", "-Xmx96m", "-Xmn64m",
            "-XX:CICompilerCount=2",
            "-XX:-UsePerfData",
            "-XX:+ExitOnOutOfMemoryError",
            "-Dio.netty.allocator.numDirectArenas=1",
            "-Dio.netty.allocator.numHeapArenas=1",
            "-Dio.netty.eventLoopThreads=1",
            "-Dio.netty.leakDetection.level=disabled");

    private WorkerLaunch() {
    }

    static Path countersFile(SitePlan plan, WorkerPlan worker) {
        return plan.stateDir().resolve("worker-" + worker.index() + ".counters");
    }

    static List<String> command(SitePlan plan, WorkerPlan worker, int keepaliveIntervalMs) {
        List<String> cmd = new ArrayList<>();
        OptionalInt housekeeping = plan.housekeepingCpu();
        cmd.addAll(List.of("taskset", "-c", Integer.toString(housekeeping.orElse(worker.cpu()))));
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(JVM_OPTIONS);
        cmd.addAll(IntrinsicChaCha20Poly1305.JVM_OPTIONS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.braid.instance.worker.WorkerMain"));
        cmd.addAll(workerFlags(plan, worker, keepaliveIntervalMs));
        return cmd;
    }

    /**
     * The worker's long poll for an answer ({@code --reply-spin-us}; what it saves is measured at
     * {@code WorkerConfig.DEFAULT_REPLY_SPIN_MICROS}), where each worker of the site has a CPU to
     * itself. Not where the site puts two workers on one CPU (allow_oversubscription): the failover
     * tests' lab (3 workers a site on 2 CPUs), run after the fuzz test as CI runs it, had bystander
     * flows stall for 0.1–0.3 s with no drop counted anywhere (the ACKs of the far site stopped
     * arriving) in 4 of 16 runs with the long poll on for all its workers, and in one CI run with it
     * on only for the worker alone on its CPU; in none of 8 with it off. A 2-workers-on-2-CPUs lab
     * with it on for every worker passed 8 of 8 (no housekeeping CPU there: the JVM's helper threads
     * share the worker's CPU, and the poll yields to them). How the polling holds the other
     * workers' packets is not pinned down: sampled every 20 ms, no loop thread waited runnable for
     * more than 73 ms of any 100 ms. Nor is it the long poll's alone: with the test's flows
     * between the LAN hosts, one of three runs stalled with it off (BENCHMARKS.md).
     */
    static final int REPLY_SPIN_MICROS_OWN_CPU = 500;

    /**
     * {@link #REPLY_SPIN_MICROS_OWN_CPU} when no CPU carries two workers of the site, else 0 for
     * every worker of it.
     */
    static int replySpinMicros(SitePlan plan) {
        long cpus = plan.workers().stream().mapToInt(WorkerPlan::cpu).distinct().count();
        return cpus == plan.workers().size() ? REPLY_SPIN_MICROS_OWN_CPU : 0;
    }

    static List<String> workerFlags(SitePlan plan, WorkerPlan worker, int keepaliveIntervalMs) {
        List<String> allowed = new ArrayList<>();
        allowed.add(IpPrefix.host(worker.peerLinkAddress().address()).toString());
        for (IpPrefix prefix : plan.routedPrefixes()) {
            allowed.add(prefix.toString());
        }
        String endpointHost = plan.peerEndpointHost();
        if (endpointHost.contains(":") && !endpointHost.startsWith("[")) {
            endpointHost = "[" + endpointHost + "]";
        }
        List<String> flags = new ArrayList<>(List.of(
                "--tun", worker.tunName(),
                "--listen-port", Integer.toString(worker.listenPort()),
                "--private-key", plan.config().privateKeyFile().toString(),
                "--peer-public-key", plan.peerPublicKey().base64(),
                "--endpoint", endpointHost + ":" + worker.peerPort(),
                "--allowed-ips", allowed.stream().collect(Collectors.joining(",")),
                "--keepalive-interval-ms", Integer.toString(keepaliveIntervalMs),
                "--cpu", Integer.toString(worker.cpu()),
                "--reply-spin-us", Integer.toString(replySpinMicros(plan)),
                "--counters", countersFile(plan, worker).toString(),
                "--mtu", Integer.toString(plan.tunnelMtuBytes()),
                "--supervised"));
        plan.config().peer().presharedKeyFile().ifPresent(psk -> flags.addAll(List.of("--preshared-key", psk.toString())));
        return flags;
    }
}
