package dev.braid.instance.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.braid.ecmp.lab.Netns;
import dev.braid.instance.counters.Counter;
import dev.braid.instance.counters.CountersFile;
import dev.braid.instance.protocol.IntrinsicChaCha20Poly1305;
import dev.braid.instance.protocol.WireGuardKeys;

/**
 * Two namespaces joined by a veth "underlay" (198.18.0.1/24 — 198.18.0.2/24), a key pair for each
 * side, and ways to start a Braid worker (a real child JVM running {@link WorkerMain}) in either.
 * Tunnel addresses: A = 10.99.0.1/30, B = 10.99.0.2/30. Closing ends every process and removes
 * both namespaces, also when the test failed.
 */
final class TwoSiteLab implements AutoCloseable {
    static final String UNDERLAY_A = "198.18.0.1";
    static final String UNDERLAY_B = "198.18.0.2";
    static final String TUNNEL_A = "10.99.0.1";
    static final String TUNNEL_B = "10.99.0.2";
    static final int PORT = 51820;

    final Netns a;
    final Netns b;
    final Path dir;
    final Path keyA;
    final Path keyB;
    final String publicA;
    final String publicB;
    private final List<CountersFile> opened = new ArrayList<>();

    TwoSiteLab(Path dir) throws IOException {
        Netns.sweepStale();
        this.dir = dir;
        Netns na = Netns.create("a");
        Netns nb;
        try {
            nb = Netns.create("b");
        } catch (RuntimeException e) {
            na.close();
            throw e;
        }
        this.a = na;
        this.b = nb;
        try {
            Netns.veth(a, "ua", b, "ub");
            a.ip("addr", "add", UNDERLAY_A + "/24", "dev", "ua");
            b.ip("addr", "add", UNDERLAY_B + "/24", "dev", "ub");
            SecureRandom random = new SecureRandom();
            byte[] privA = WireGuardKeys.generatePrivate(random);
            byte[] privB = WireGuardKeys.generatePrivate(random);
            keyA = dir.resolve("a.key");
            keyB = dir.resolve("b.key");
            WireGuardKeys.writeKeyFile(keyA, privA);
            WireGuardKeys.writeKeyFile(keyB, privB);
            publicA = WireGuardKeys.toBase64(WireGuardKeys.publicFromPrivate(privA));
            publicB = WireGuardKeys.toBase64(WireGuardKeys.publicFromPrivate(privB));
            if (!a.waitForPing(UNDERLAY_B, Duration.ofSeconds(10))) {
                throw new IllegalStateException("the underlay veth does not carry pings");
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The java command that runs a worker with the test class path. */
    static List<String> workerCommand(List<String> args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC", "-Xmx128m"));
        cmd.addAll(IntrinsicChaCha20Poly1305.JVM_OPTIONS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerMain.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Starts a Braid worker on TUN {@code tun} in {@code ns}, waits for its counters file and TUN,
     * then gives the TUN its tunnel address and brings it up.
     */
    Worker startWorker(Netns ns, String tun, String tunnelCidr, List<String> flags) throws IOException {
        Path counters = dir.resolve(ns.name() + "-" + tun + ".counters");
        Path log = dir.resolve(ns.name() + "-" + tun + ".log");
        Files.deleteIfExists(counters);
        Process process = ns.start(workerCommand(flags(tun, counters, flags)), log);
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        CountersFile file = null;
        while (System.nanoTime() < end && process.isAlive()) {
            if (Files.exists(counters) && ns.tryRun(Duration.ofSeconds(5), List.of("ip", "link", "show", tun)).ok()) {
                try {
                    file = CountersFile.open(counters);
                    if (file.get(Counter.LISTEN_PORT) != 0) {
                        break;
                    }
                    file.close();
                    file = null;
                } catch (IOException notYet) {
                    // header not written yet
                }
            }
            Netns.sleep(50);
        }
        if (file == null) {
            throw new IllegalStateException("worker in " + ns + " did not come up: " + Files.readString(log));
        }
        opened.add(file);
        ns.ip("addr", "add", tunnelCidr, "dev", tun);
        ns.ip("link", "set", tun, "up");
        return new Worker(process, file, log);
    }

    private static List<String> flags(String tun, Path counters, List<String> extra) {
        List<String> all = new ArrayList<>(List.of("--tun", tun, "--counters", counters.toString()));
        all.addAll(extra);
        return all;
    }

    record Worker(Process process, CountersFile counters, Path log) {
        long get(Counter c) {
            return counters.get(c);
        }

        long drops() {
            long sum = 0;
            for (Counter c : Counter.values()) {
                if (c.kind() == Counter.Kind.DROP) {
                    sum += counters.get(c);
                }
            }
            return sum;
        }
    }

    /** The per-second throughputs (bits/s) of an iperf3 JSON report, summed over streams. */
    static List<Double> intervals(String iperfJson) throws IOException {
        JsonNode root = new ObjectMapper().readTree(iperfJson);
        List<Double> out = new ArrayList<>();
        for (JsonNode interval : root.path("intervals")) {
            out.add(interval.path("sum").path("bits_per_second").asDouble());
        }
        return out;
    }

    static double receivedBitsPerSecond(String iperfJson) throws IOException {
        return new ObjectMapper().readTree(iperfJson).path("end").path("sum_received").path("bits_per_second").asDouble();
    }

    @Override
    public void close() {
        for (CountersFile f : opened) {
            f.close();
        }
        try {
            a.close();
        } finally {
            b.close();
        }
    }
}
