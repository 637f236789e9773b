package dev.braid.gateway.status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.braid.ecmp.lab.Command;
import dev.braid.ecmp.lab.Netns;

/**
 * A real Prometheus server (the Debian package's `prometheus`) run by a test inside a lab
 * namespace: its own temporary TSDB directory, listening on the namespace's loopback, asked through
 * its HTTP API with curl run in the same namespace (the test JVM lives in the root namespace and
 * cannot reach that loopback). Closing it stops the server: SIGTERM, then SIGKILL.
 */
final class PrometheusServer implements AutoCloseable {
    static final String LISTEN = "127.0.0.1:9090";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Netns ns;
    private final Process process;
    private final Path log;

    private PrometheusServer(Netns ns, Process process, Path log) {
        this.ns = ns;
        this.process = process;
        this.log = log;
    }

    /** Fails with what to install when a command the Prometheus tests need is missing. */
    static void requireTools(String... commands) {
        List<String> missing = new ArrayList<>();
        for (String c : commands) {
            if (!Command.run(Duration.ofSeconds(10), List.of("sh", "-c", "command -v " + c)).ok()) {
                missing.add(c);
            }
        }
        if (!missing.isEmpty()) {
            throw new AssertionError("missing " + missing + " on PATH: these tests need a real Prometheus; install the"
                    + " Debian packages: apt-get install --no-install-recommends prometheus curl  (bin/test installs them)");
        }
    }

    /** Starts Prometheus in {@code ns} with {@code config}; its data goes under {@code dir}. */
    static PrometheusServer start(Netns ns, Path config, Path dir) throws IOException {
        Path tsdb = dir.resolve("prometheus-tsdb");
        Files.createDirectories(tsdb);
        Path log = dir.resolve("prometheus.log");
        Process p = ns.start(List.of("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + tsdb,
                "--web.listen-address=" + LISTEN, "--storage.tsdb.retention.time=1h", "--log.level=warn"), log);
        PrometheusServer server = new PrometheusServer(ns, p, log);
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            if (!p.isAlive()) {
                throw new IOException("prometheus exited with status " + p.exitValue() + ": " + server.logTail());
            }
            if (server.curl(List.of("http://" + LISTEN + "/-/ready")).ok()) {
                return server;
            }
            Netns.sleep(200);
        }
        server.close();
        throw new IOException("prometheus did not become ready within 60 s: " + server.logTail());
    }

    /** curl inside the namespace, bounded; the result whatever the exit status. */
    Command.Result curl(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--fail-with-body", "--max-time", "10"));
        cmd.addAll(args);
        return ns.tryRun(Duration.ofSeconds(15), cmd);
    }

    /** GET /api/v1/PATH with url-encoded parameters (name=value pairs); the parsed answer. */
    JsonNode api(String path, String... params) throws IOException {
        List<String> args = new ArrayList<>(List.of("-G"));
        for (String p : params) {
            args.add("--data-urlencode");
            args.add(p);
        }
        args.add("http://" + LISTEN + "/api/v1/" + path);
        Command.Result r = curl(args);
        if (r.stdout().isBlank()) {
            throw new IOException("prometheus API " + path + " answered nothing (curl exit " + r.exitCode() + "): " + r.stderr());
        }
        return JSON.readTree(r.stdout());
    }

    /** An instant query evaluated at {@code epochSeconds}. */
    JsonNode query(String expr, double epochSeconds) throws IOException {
        return api("query", "query=" + expr, "time=" + epochSeconds);
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
