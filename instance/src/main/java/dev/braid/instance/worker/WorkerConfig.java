package dev.braid.instance.worker;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A worker's settings, from its command line (see docs/architecture.md). Parsing only checks form;
 * key files are read by {@link WorkerMain} so that their errors name the file.
 *
 * @param keepaliveIntervalNanos Braid's path-liveness keepalive (0 = off); persistent keepalive in
 *                               WireGuard terms, but allowed below one second
 */
public record WorkerConfig(
        String tunName,
        int listenPort,
        Path privateKeyFile,
        String peerPublicKey,
        Optional<InetSocketAddress> endpoint,
        List<AllowedIps.Prefix> allowedIps,
        Optional<Path> presharedKeyFile,
        long keepaliveIntervalNanos,
        int cpu,
        Optional<Path> countersFile,
        int mtuBytes,
        boolean supervised,
        boolean offloads,
        int spinMicros,
        int replySpinMicros) {

    public static final int DEFAULT_MTU = 1420;
    /**
     * How long the loop polls for the next packet after handling one before it sleeps in epoll:
     * measured here, an idle path's ping round trip through two workers went from 0.28 to 0.22 ms
     * (a sleeping vCPU's wake-up, four times per round trip); the cost is CPU on the worker's own
     * core while traffic trickles. 0 turns it off.
     */
    public static final int DEFAULT_SPIN_MICROS = 50;
    /**
     * How long the loop polls after a packet that woke it, for the answer coming back through it
     * (SpinThenBlockStrategy; paused where it keeps catching nothing). In one idle lab, series
     * interleaved, 500 took the idle ping p50 from 0.268 to 0.233 ms (1 worker) and 0.295 to 0.263
     * (2 workers). It is for a worker with a CPU of its own, which only the supervisor knows: it
     * passes 500 where no CPU carries two workers of the site, else 0.
     * A worker started by hand gets 0 = off unless asked.
     */
    public static final int DEFAULT_REPLY_SPIN_MICROS = 0;

    /** Thrown for a bad command line; the message is for the user. */
    public static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    public static final String USAGE = """
            usage: braid worker --tun NAME --listen-port PORT --private-key FILE --peer-public-key BASE64
                                [--endpoint HOST:PORT] [--allowed-ips CIDR[,CIDR...]] [--preshared-key FILE]
                                [--persistent-keepalive SECONDS] [--keepalive-interval-ms MS]
                                [--cpu N] [--counters FILE] [--mtu BYTES] [--spin-us MICROS]
                                [--reply-spin-us MICROS]
                                [--supervised] [--no-offloads]""";

    public static WorkerConfig parse(List<String> args) {
        String tun = null;
        Integer port = null;
        Path key = null;
        String peerKey = null;
        Optional<InetSocketAddress> endpoint = Optional.empty();
        List<AllowedIps.Prefix> allowed = List.of(AllowedIps.Prefix.parse("0.0.0.0/0"), AllowedIps.Prefix.parse("::/0"));
        Optional<Path> psk = Optional.empty();
        long keepaliveNanos = 0;
        int cpu = -1;
        Optional<Path> counters = Optional.empty();
        int mtu = DEFAULT_MTU;
        boolean supervised = false;
        boolean offloads = true;
        int spinMicros = DEFAULT_SPIN_MICROS;
        int replySpinMicros = DEFAULT_REPLY_SPIN_MICROS;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (flag.equals("--supervised")) {
                supervised = true;
                continue;
            }
            if (flag.equals("--no-offloads")) {
                offloads = false;
                continue;
            }
            if (i + 1 >= args.size()) {
                throw new UsageException(flag + " needs a value\n" + USAGE);
            }
            String value = args.get(++i);
            switch (flag) {
                case "--tun" -> tun = value;
                case "--listen-port" -> port = intIn(flag, value, 1, 65535);
                case "--private-key" -> key = Path.of(value);
                case "--peer-public-key" -> peerKey = value;
                case "--endpoint" -> endpoint = Optional.of(endpoint(value));
                case "--allowed-ips" -> allowed = prefixes(value);
                case "--preshared-key" -> psk = Optional.of(Path.of(value));
                case "--persistent-keepalive" -> keepaliveNanos = intIn(flag, value, 0, 65535) * 1_000_000_000L;
                case "--keepalive-interval-ms" -> keepaliveNanos = intIn(flag, value, 0, 3_600_000) * 1_000_000L;
                case "--cpu" -> cpu = intIn(flag, value, -1, 4095);
                case "--counters" -> counters = Optional.of(Path.of(value));
                case "--mtu" -> mtu = intIn(flag, value, 576, 9000);
                case "--spin-us" -> spinMicros = intIn(flag, value, 0, 10_000);
                case "--reply-spin-us" -> replySpinMicros = intIn(flag, value, 0, 10_000);
                default -> throw new UsageException("unknown flag " + flag + "\n" + USAGE);
            }
        }
        if (tun == null || port == null || key == null || peerKey == null) {
            throw new UsageException("--tun, --listen-port, --private-key and --peer-public-key are required\n" + USAGE);
        }
        return new WorkerConfig(tun, port, key, peerKey, endpoint, List.copyOf(allowed), psk, keepaliveNanos, cpu,
                counters, mtu, supervised, offloads, spinMicros, replySpinMicros);
    }

    private static int intIn(String flag, String value, int min, int max) {
        try {
            int v = Integer.parseInt(value);
            if (v < min || v > max) {
                throw new UsageException(flag + " " + value + ": must be " + min + ".." + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " " + value + ": not a number");
        }
    }

    static InetSocketAddress endpoint(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new UsageException("--endpoint " + text + ": expected HOST:PORT or [IPv6]:PORT");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = intIn("--endpoint port", text.substring(colon + 1), 1, 65535);
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new UsageException("--endpoint " + text + ": cannot resolve " + host);
        }
    }

    private static List<AllowedIps.Prefix> prefixes(String csv) {
        List<AllowedIps.Prefix> out = new ArrayList<>();
        for (String p : csv.split(",")) {
            if (!p.isBlank()) {
                try {
                    out.add(AllowedIps.Prefix.parse(p.strip()));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--allowed-ips: " + e.getMessage());
                }
            }
        }
        return out;
    }
}
