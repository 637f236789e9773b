package dev.braid.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.braid.ecmp.lab.Command;
import dev.braid.gateway.Version;

/**
 * What a result file records about where and with what it was measured: the machine (CPUs, model,
 * kernel, memory, load when the run started) and the versions (Braid with its git commit when run
 * from a checkout, the JVM, iperf3, wireguard-go), so that two result files can be told apart.
 */
final class BenchMeta {
    private BenchMeta() {
    }

    static ObjectNode machine() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        o.put("model", firstMatch(read("/proc/cpuinfo"), "model name").orElse("unknown"));
        o.put("kernel", read("/proc/sys/kernel/osrelease").strip());
        long memKb = firstMatch(read("/proc/meminfo"), "MemTotal").map(v -> Long.parseLong(v.replaceAll("[^0-9]", ""))).orElse(0L);
        o.put("memory", String.format(java.util.Locale.ROOT, "%.1f GiB", memKb / 1024.0 / 1024.0));
        o.put("load_average_at_start", read("/proc/loadavg").strip());
        return o;
    }

    static ObjectNode versions() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("braid", Version.text() + repoRoot().map(BenchMeta::gitDescription).orElse(""));
        o.put("java", System.getProperty("java.runtime.version", "unknown"));
        o.put("iperf3", firstLineOf(List.of("iperf3", "--version")));
        o.put("wireguard-go", firstLineOf(List.of("wireguard-go", "--version")));
        return o;
    }

    /** The Braid checkout this code runs from (the directory holding bin/braid and pom.xml), if any. */
    static Optional<Path> repoRoot() {
        try {
            Path here = Path.of(BenchMeta.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = here; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("bin/braid")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                    return Optional.of(p);
                }
            }
        } catch (Exception unknown) {
            // a jar without a code source location: no checkout to describe
        }
        return Optional.empty();
    }

    private static String gitDescription(Path root) {
        Command.Result head = Command.run(Duration.ofSeconds(10), List.of("git", "-C", root.toString(), "rev-parse", "--short", "HEAD"));
        if (!head.ok()) {
            return "";
        }
        Command.Result dirty = Command.run(Duration.ofSeconds(10), List.of("git", "-C", root.toString(), "status", "--porcelain",
                "--untracked-files=no"));
        return " (git " + head.stdout().strip() + (dirty.ok() && !dirty.stdout().isBlank() ? ", uncommitted changes" : "") + ")";
    }

    private static String firstLineOf(List<String> command) {
        Command.Result r = Command.run(Duration.ofSeconds(10), command);
        String text = (r.stdout() + "\n" + r.stderr()).strip();
        return r.exitCode() == 127 || text.isEmpty() ? "not installed" : text.lines().findFirst().orElse("").strip();
    }

    private static Optional<String> firstMatch(String text, String key) {
        return text.lines().filter(l -> l.startsWith(key)).findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip());
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "";
        }
    }
}
