package dev.braid.gateway.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.braid.ecmp.lab.Command;
import dev.braid.gateway.cli.CliCommand;

/**
 * `braid bench`: Braid against its peers in one run — the bare underlay veth, a stock
 * wireguard-go pair, Braid with 1 and N workers, and Braid's floating-address penalty — each in a
 * fresh pair of namespaces, measured alike (iperf3 TCP 1 and 16 streams, UDP at full rate, ping
 * idle and under load, tunnel CPU seconds per GB, Braid's per-path shares). Prints a table with
 * ratios against wireguard-go and writes the JSON envelope to bench/results/. Needs root.
 */
public final class BenchCommand implements CliCommand {
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "benchmark Braid against the bare underlay and wireguard-go in one run; table, ratios, JSON";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, Runtime.getRuntime().availableProcessors());
        } catch (BenchOptions.UsageException e) {
            err.println("braid bench: " + e.getMessage());
            err.println(BenchOptions.USAGE);
            return USAGE;
        }
        if (options.show() != null) {
            return show(options.show(), out, err);
        }
        String missing = missingTools(options);
        if (missing != null) {
            err.println("braid bench: " + missing);
            return FAILED;
        }
        Path file = options.out() != null ? options.out() : defaultResultFile();
        Path workDir = Files.createTempDirectory("braid-bench-");
        String command = "braid bench" + (args.isEmpty() ? "" : " " + String.join(" ", args));
        List<String> names = options.scenarios().stream().map(Scenario::name).toList();
        out.printf(Locale.ROOT, "braid bench: %s; %d s per iperf3 run (+%d s omitted), %d streams; results -> %s%n",
                String.join(", ", names), options.seconds(), options.parameters().omitSeconds(), options.parameters().streams(), file);

        BenchRun run = new BenchRun(options, command, out, workDir);
        ObjectNode envelope = run.run(partial -> {
            try {
                BenchRun.write(partial, file);
                err.println("\nbraid bench: interrupted; partial results in " + file + "; cleaning up ...");
            } catch (IOException e) {
                err.println("\nbraid bench: interrupted; could not write " + file + ": " + e.getMessage());
            }
        });
        if (envelope.path("meta").path("interrupted").asBoolean(false)) {
            return FAILED; // the shutdown hook has written the partial results and is cleaning up
        }
        BenchRun.write(envelope, file);
        out.println();
        out.print(BenchReport.table(envelope));
        out.println();
        out.println("results: " + file);
        boolean ok = "ok".equals(envelope.path("status").asText());
        if (ok) {
            deleteTree(workDir); // logs of a run that worked are of no further use
        } else {
            out.println("logs kept in " + workDir);
        }
        return ok ? OK : FAILED;
    }

    private static int show(Path file, PrintStream out, PrintStream err) {
        JsonNode envelope;
        try {
            envelope = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            err.println("braid bench: cannot read " + file + ": " + e.getMessage());
            return FAILED;
        }
        JsonNode meta = envelope.path("meta");
        out.printf(Locale.ROOT, "%s  (%s, %s, status %s)%n%n", meta.path("command").asText("?"), meta.path("date").asText("?"),
                meta.path("versions").path("braid").asText("?"), envelope.path("status").asText("?"));
        out.print(BenchReport.table(envelope));
        return OK;
    }

    /** Why the bench cannot run here (not root, a tool missing), or null. */
    private static String missingTools(BenchOptions options) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "builds network namespaces, TUNs and routes: run it as root";
        }
        List<String> tools = new ArrayList<>(List.of("ip:iproute2", "ping:iputils-ping", "iperf3:iperf3", "taskset:util-linux"));
        if (options.scenarios().stream().anyMatch(s -> s.kind() == Scenario.Kind.WIREGUARD_GO)) {
            tools.addAll(List.of("wireguard-go:wireguard-go", "wg:wireguard-tools"));
        }
        List<String> packages = new ArrayList<>();
        for (String t : tools) {
            String[] pair = t.split(":");
            if (!Command.run(Duration.ofSeconds(5), List.of("sh", "-c", "command -v " + pair[0])).ok()) {
                packages.add(pair[1]);
            }
        }
        return packages.isEmpty() ? null : "missing commands; install them: apt-get install " + String.join(" ", packages);
    }

    /** bench/results/YYYYMMDD-HHMMSS.json in the Braid checkout (gitignored), else in the current directory. */
    static Path defaultResultFile() {
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path base = BenchMeta.repoRoot().orElse(Path.of("."));
        return base.resolve("bench").resolve("results").resolve(stamp + ".json");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
