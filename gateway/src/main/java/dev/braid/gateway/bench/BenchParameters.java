package dev.braid.gateway.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How every scenario is measured (the same for all, so that figures compare).
 *
 * @param seconds          length of each iperf3 run after the omitted warm-up seconds
 * @param omitSeconds      iperf3 -O for TCP: the first seconds (slow start, JIT) are not counted
 * @param streams          the parallel TCP run's stream count (-P)
 * @param udpDatagramBytes iperf3 -l for UDP: 1392 so that datagram + IP/UDP headers (1420 bytes)
 *                         fit the smallest tunnel MTU measured (wireguard-go's 1420) without fragments
 * @param pingIdleCount    pings sent on an idle path
 * @param pingIntervalMs   the interval of the idle and the loaded ping
 * @param warmupSeconds    a TCP run with {@code streams} streams before anything is measured
 * @param pingWarmupCount  pings at 1 ms after it, so the small-packet path is warm too (figures discarded)
 * @param penaltyPairs     extra back-to-back pairs of TCP runs (1 and {@code streams} streams) over the two
 *                         routes of the floating-penalty lab, their order alternating pair by pair; the
 *                         penalty is the median of the pairs' ratios, so one noisy run cannot make it
 * @param pairSeconds      length of each of those runs (after the omitted seconds)
 */
public record BenchParameters(int seconds, int omitSeconds, int streams, int udpDatagramBytes, int pingIdleCount,
                              int pingIntervalMs, int warmupSeconds, int pingWarmupCount, int penaltyPairs, int pairSeconds) {
    public static final int DEFAULT_SECONDS = 10;
    public static final int QUICK_SECONDS = 5;

    public static BenchParameters of(int seconds, boolean quick) {
        // warm-up: a fresh Braid worker's JIT takes 5-6 s of 16-stream load to reach full speed here
        // (per-second iperf3 in a fresh 1-worker lab: 0.9, 2.0, 2.5, 3.1, 3.9, 4.4 Gbit/s), and 1000
        // pings left C2 compiling the small-packet path during the idle ping, holding a worker's loop
        // off its CPU for up to 4 ms (perf sched); users' gateways run warm, so the bench measures warm
        return new BenchParameters(seconds, 1, 16, 1392, quick ? 100 : 200, 10, quick ? 4 : 10, quick ? 1000 : 3000,
                quick ? 2 : 4, quick ? 3 : 5);
    }

    /** Pings sent during the loaded run: they start after the omitted seconds and end before iperf3 does. */
    public int pingLoadCount() {
        return Math.max(10, (int) ((seconds - 1.5) * 1000 / pingIntervalMs));
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("seconds", seconds);
        o.put("omit_seconds", omitSeconds);
        o.put("streams", streams);
        o.put("udp_datagram_bytes", udpDatagramBytes);
        o.put("ping_idle_count", pingIdleCount);
        o.put("ping_interval_ms", pingIntervalMs);
        o.put("ping_load_count", pingLoadCount());
        o.put("warmup_seconds", warmupSeconds);
        o.put("ping_warmup_count", pingWarmupCount);
        o.put("penalty_pairs", penaltyPairs);
        o.put("pair_seconds", pairSeconds);
        return o;
    }
}
