package dev.braid.gateway.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import dev.braid.ecmp.lab.Command;
import dev.braid.ecmp.lab.Iperf3;
import dev.braid.gateway.lab.SiteLab;
import dev.braid.gateway.lab.TcpFlowGenerator;
import dev.braid.instance.counters.Counter;

/**
 * `braid demo`: two sites in network namespaces, a supervisor with N workers in each, F TCP flows
 * between the floating addresses for S seconds, a live progress line, then the per-path table and
 * the aggregate — and everything torn down again. Traffic comes from iperf3 when it is installed,
 * otherwise from a small built-in generator.
 */
final class DemoCommand implements CliCommand {
    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "two sites in network namespaces, N workers each, F TCP flows between their floating addresses";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        int workers = 2;
        int seconds = 10;
        int flows = 16;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (i + 1 >= args.size()) {
                err.println("usage: braid demo [--workers N] [--seconds S] [--flows F]");
                return USAGE;
            }
            int value;
            try {
                value = Integer.parseInt(args.get(++i));
            } catch (NumberFormatException e) {
                err.println("braid demo: " + flag + " needs a number");
                return USAGE;
            }
            switch (flag) {
                case "--workers" -> workers = value;
                case "--seconds" -> seconds = value;
                case "--flows" -> flows = value;
                default -> {
                    err.println("usage: braid demo [--workers N] [--seconds S] [--flows F]");
                    return USAGE;
                }
            }
        }
        if (workers < 1 || workers > 16 || seconds < 1 || seconds > 3600 || flows < 1 || flows > 128) {
            err.println("braid demo: --workers 1..16, --seconds 1..3600, --flows 1..128");
            return USAGE;
        }
        boolean iperf = Command.run("iperf3", "--version").ok();
        out.printf("braid demo: %d worker%s per site, %d TCP flows for %d s between %s and %s (%s)%n", workers,
                workers == 1 ? "" : "s", flows, seconds, SiteLab.FLOATING_A, SiteLab.FLOATING_B,
                iperf ? "iperf3" : "built-in generator; install iperf3 for the real thing");
        Path dir = Files.createTempDirectory("braid-demo-");
        int status = runIn(dir, workers, seconds, flows, iperf, out, err);
        if (status == OK) {
            deleteTree(dir); // keys and logs of a run that worked are of no further use
            out.println("braid demo: done; nothing left behind");
        } else {
            err.println("braid demo: logs and configs kept in " + dir);
        }
        return status;
    }

    private int runIn(Path dir, int workers, int seconds, int flows, boolean iperf, PrintStream out, PrintStream err)
            throws Exception {
        try (SiteLab lab = SiteLab.build(dir, SiteLab.Options.workers(workers))) {
            out.printf("  sites: %s (namespace %s), %s (namespace %s); logs in %s%n", lab.a.name, lab.a.ns.name(),
                    lab.b.name, lab.b.ns.name(), dir);
            long t0 = System.nanoTime();
            lab.startSupervisors();
            if (!lab.awaitSessions(Duration.ofSeconds(30))) {
                err.println("braid demo: the paths did not come up within 30 s. Supervisor logs:\n--- site A\n"
                        + SiteLab.tail(lab.a.log(), 20) + "\n--- site B\n" + SiteLab.tail(lab.b.log(), 20));
                return FAILED;
            }
            out.printf("  %d paths up on both sites after %.1f s%n", workers, (System.nanoTime() - t0) / 1e9);
            if (!lab.a.ns.waitForPing(SiteLab.FLOATING_B, Duration.ofSeconds(10), "-I", SiteLab.FLOATING_A)) {
                err.println("braid demo: floating address " + SiteLab.FLOATING_B + " does not answer pings");
                return FAILED;
            }
            long[] before = lab.perWorker(lab.a, Counter.TX_BYTES);
            Traffic traffic = iperf ? new IperfTraffic(lab, seconds, flows) : new BuiltinTraffic(lab, seconds, flows);
            traffic.start();
            long[] last = before.clone();
            // on a terminal one line updates in place; into a file or pipe, one line per second
            boolean terminal = System.console() != null;
            for (int s = 1; s <= seconds + 30 && traffic.running(); s++) {
                Thread.sleep(1000);
                long[] now = lab.perWorker(lab.a, Counter.TX_BYTES);
                out.print((terminal ? "\r  " : "  ") + progress(s, last, now) + (terminal ? "   " : "\n"));
                out.flush();
                last = now;
            }
            if (terminal) {
                out.println();
            }
            double aggregateBitsPerSecond = traffic.finish();
            long[] after = lab.perWorker(lab.a, Counter.TX_BYTES);
            long[] cpus = lab.perWorker(lab.a, Counter.CPU);
            long total = 0;
            for (int i = 0; i < workers; i++) {
                total += after[i] - before[i];
            }
            out.println();
            out.println("  path  cpu  tun     bytes A->B    share");
            for (int i = 0; i < workers; i++) {
                long bytes = after[i] - before[i];
                out.printf(Locale.ROOT, "  %-5d %-4s braid%-2d %10s  %6.1f %%%n", i, cpus[i] < 0 ? "-" : Long.toString(cpus[i]),
                        i, human(bytes), total == 0 ? 0.0 : 100.0 * bytes / total);
            }
            out.printf(Locale.ROOT, "  aggregate %.2f Gbit/s over %d flows (%s)%n", aggregateBitsPerSecond / 1e9, flows,
                    iperf ? "iperf3 receiver" : "bytes received by the generator");
            out.println("  tearing down ...");
        }
        return OK;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String progress(int second, long[] last, long[] now) {
        long sum = 0;
        for (int i = 0; i < now.length; i++) {
            sum += now[i] - last[i];
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "[%3d s] %6.2f Gbit/s ", second, sum * 8 / 1e9));
        for (int i = 0; i < now.length; i++) {
            sb.append(String.format(Locale.ROOT, " w%d %3.0f%%", i, sum == 0 ? 0.0 : 100.0 * (now[i] - last[i]) / sum));
        }
        return sb.toString();
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    /** The traffic the demo pushes: start, still running?, and the achieved aggregate. */
    private interface Traffic {
        void start() throws Exception;

        boolean running();

        double finish() throws Exception;
    }

    private static final class IperfTraffic implements Traffic {
        private final SiteLab lab;
        private final int seconds;
        private final int flows;
        private Thread client;
        private volatile String json;
        private volatile Exception failure;

        IperfTraffic(SiteLab lab, int seconds, int flows) {
            this.lab = lab;
            this.seconds = seconds;
            this.flows = flows;
        }

        @Override
        public void start() throws Exception {
            Iperf3.server(lab.b.ns, SiteLab.FLOATING_B, 5201, lab.dir().resolve("iperf3-server.log"));
            client = Thread.ofPlatform().start(() -> {
                try {
                    json = Iperf3.tcpClient(lab.a.ns, SiteLab.FLOATING_B, 5201, seconds, flows, false, SiteLab.FLOATING_A);
                } catch (Exception e) {
                    failure = e;
                }
            });
        }

        @Override
        public boolean running() {
            return client.isAlive();
        }

        @Override
        public double finish() throws Exception {
            client.join(Duration.ofSeconds(60));
            if (failure != null) {
                throw failure;
            }
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)
                    .path("end").path("sum_received").path("bits_per_second").asDouble();
        }
    }

    private static final class BuiltinTraffic implements Traffic {
        private final TcpFlowGenerator generator;
        private final int seconds;

        BuiltinTraffic(SiteLab lab, int seconds, int flows) {
            this.generator = new TcpFlowGenerator(lab.b.ns.name(), SiteLab.FLOATING_B, lab.a.ns.name(), SiteLab.FLOATING_A,
                    flows);
            this.seconds = seconds;
        }

        @Override
        public void start() throws Exception {
            generator.start(Duration.ofSeconds(seconds));
        }

        @Override
        public boolean running() {
            return generator.running();
        }

        @Override
        public double finish() throws Exception {
            return generator.finish();
        }
    }
}
