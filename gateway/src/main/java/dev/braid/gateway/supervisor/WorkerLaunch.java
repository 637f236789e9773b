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
     * {@code WorkerConfig.DEFAULT_REPLY_SPIN_MICROS}), for a worker that owns its core. Where anything
     * else of the site must run on the worker's CPU — another worker, or the JVM's own helper
     * threads (GC, JIT) because there is no housekeeping CPU — its polling takes their time: the
     * failover tests' lab (3 workers a site on 2 CPUs, no housekeeping CPU) had bystander flows
     * stall for 0.3–0.6 s in 3 fresh-clone CI runs with it on for some or all of its workers, and in
     * none of 27 local runs in a row nor in the CI runs with it off.
     */
    static final int REPLY_SPIN_MICROS_OWN_CPU = 500;

    /**
     * {@link #REPLY_SPIN_MICROS_OWN_CPU} when the site has a housekeeping CPU and no other worker
     * of the site is pinned to this worker's CPU, else 0.
     */
    static int replySpinMicros(SitePlan plan, WorkerPlan worker) {
        long onItsCpu = plan.workers().stream().filter(w -> w.cpu() == worker.cpu()).count();
        return plan.housekeepingCpu().isPresent() && onItsCpu == 1 ? REPLY_SPIN_MICROS_OWN_CPU : 0;
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
                "--reply-spin-us", Integer.toString(replySpinMicros(plan, worker)),
                "--counters", countersFile(plan, worker).toString(),
                "--mtu", Integer.toString(plan.tunnelMtuBytes()),
                "--supervised"));
        plan.config().peer().presharedKeyFile().ifPresent(psk -> flags.addAll(List.of("--preshared-key", psk.toString())));
        return flags;
    }
}
