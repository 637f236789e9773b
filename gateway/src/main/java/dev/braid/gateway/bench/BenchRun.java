package dev.braid.gateway.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One `braid bench` invocation: the scenarios one after another, each in a fresh lab, all within
 * one run so that their figures share the box's conditions. A scenario's lab that does not come
 * up is built again (up to {@code --attempts}); a scenario that still fails is recorded with its
 * error and the run goes on. Every scenario runs under a deadline: past it, its lab is closed
 * (which ends iperf3 and ping) and the scenario is recorded as timed out. With several rounds the
 * whole list runs again per round and each scenario's rows become medians ({@link RoundMerge}).
 */
final class BenchRun {
    private final BenchOptions options;
    private final BenchParameters parameters;
    private final String command;
    private final PrintStream out;
    private final Path workDir;
    private final ObjectNode scenarios = JsonNodeFactory.instance.objectNode();
    private final ArrayNode notes = JsonNodeFactory.instance.arrayNode();
    private final Instant started = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final ObjectNode machine = BenchMeta.machine();
    private final ObjectNode versions = BenchMeta.versions();
    private int attempts;
    private Cleanup cleanup;
    private volatile String roundTag = "";
    private volatile int round = 1;

    BenchRun(BenchOptions options, String command, PrintStream out, Path workDir) {
        this.options = options;
        this.parameters = options.parameters();
        this.command = command;
        this.out = out;
        this.workDir = workDir;
    }

    /**
     * Runs every scenario and returns the envelope. {@code onInterrupt} receives the partial
     * envelope if the JVM is stopped (Ctrl-C) before the run ends.
     */
    ObjectNode run(java.util.function.Consumer<ObjectNode> onInterrupt) {
        Cleanup own = new Cleanup(() -> onInterrupt.accept(envelope(true)));
        cleanup = own;
        try (own) {
            List<Scenario> list = options.scenarios();
            int rounds = options.rounds();
            Map<String, List<ObjectNode>> results = new LinkedHashMap<>();
            for (round = 1; round <= rounds && !cleanup.cancelled(); round++) {
                roundTag = rounds == 1 ? "" : " (round " + round + ")";
                for (int i = 0; i < list.size() && !cleanup.cancelled(); i++) {
                    Scenario s = list.get(i);
                    out.printf(Locale.ROOT, "%s[%d/%d] %s%n", rounds == 1 ? "" : "[round " + round + "/" + rounds + "] ",
                            i + 1, list.size(), s.name());
                    ObjectNode result = runScenario(s);
                    if (rounds > 1) {
                        result.put("round", round);
                    }
                    List<ObjectNode> soFar = results.computeIfAbsent(s.name(), k -> new ArrayList<>());
                    soFar.add(result);
                    record(s.name(), soFar.size() == 1 ? result : combine(soFar));
                }
            }
        }
        return envelope(cleanup.cancelled());
    }

    /** One scenario measured in several rounds: medians of its rows, the spread, every round kept. */
    private ObjectNode combine(List<ObjectNode> rounds) {
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        boolean allOk = rounds.stream().allMatch(r -> "ok".equals(r.path("status").asText()));
        merged.put("status", allOk ? "ok" : "failed");
        merged.put("attempts", rounds.stream().mapToInt(r -> r.path("attempts").asInt()).sum());
        rounds.stream().filter(r -> r.has("setup")).findFirst().ifPresent(r -> merged.set("setup", r.get("setup")));
        Set<String> rowKeys = new LinkedHashSet<>();
        rounds.forEach(r -> r.path("rows").fieldNames().forEachRemaining(rowKeys::add));
        ObjectNode rows = merged.putObject("rows");
        ObjectNode spread = merged.putObject("spread");
        for (String key : rowKeys) {
            List<JsonNode> perRound = rounds.stream().map(r -> r.path("rows").path(key)).filter(n -> !n.isMissingNode()).toList();
            rows.set(key, RoundMerge.median(perRound));
            spread.set(key, RoundMerge.spread(perRound, parameters.streams()));
        }
        List<String> errors = new ArrayList<>();
        for (ObjectNode r : rounds) {
            if (r.has("error")) {
                errors.add("round " + r.path("round").asInt() + ": " + r.path("error").asText());
            }
        }
        if (!errors.isEmpty()) {
            merged.put("error", String.join("; ", errors));
        }
        // the penalty's pairs from every round, in one list: its median is over all of them
        ArrayNode pairs = JsonNodeFactory.instance.arrayNode();
        for (ObjectNode r : rounds) {
            r.path("pairs").forEach(pair -> pairs.add(((ObjectNode) pair.deepCopy()).put("round", r.path("round").asInt())));
        }
        if (!pairs.isEmpty()) {
            merged.set("pairs", pairs);
        }
        ArrayNode all = merged.putArray("rounds");
        rounds.forEach(all::add);
        return merged;
    }

    private synchronized void record(String name, ObjectNode result) {
        scenarios.set(name, result);
    }

    private ObjectNode runScenario(Scenario scenario) {
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put("status", "failed");
        List<String> errors = new ArrayList<>();
        for (int attempt = 1; attempt <= options.attempts() && !cleanup.cancelled(); attempt++) {
            attempts++;
            result.put("attempts", attempt);
            Path dir = workDir.resolve(scenario.name() + "-" + attempt);
            String error = attempt(scenario, dir, result);
            if (error == null) {
                break;
            }
            errors.add(error);
            out.println("  failed: " + firstLine(error) + (attempt < options.attempts() && result.path("rows").isEmpty()
                    ? " — building the lab again" : ""));
            if (!result.path("rows").isEmpty()) {
                break; // it was measured: a failed step is a finding, not a reason to start over
            }
        }
        if (!errors.isEmpty()) {
            result.put("error", errors.getLast());
            ArrayNode all = result.putArray("errors");
            errors.forEach(all::add);
        }
        return result;
    }

    /** One attempt: build, measure, close, within the deadline. Returns the error, or null when all went well. */
    private String attempt(Scenario scenario, Path dir, ObjectNode result) {
        AtomicReference<BenchLab> labRef = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Measurement measurement = new Measurement(parameters, dir, out::println, cleanup::cancelled);
        long t0 = System.nanoTime();
        Thread worker = Thread.ofPlatform().name("bench-" + scenario.name()).start(() -> {
            BenchLab lab = null;
            try {
                Files.createDirectories(dir);
                lab = scenario.build(dir);
                labRef.set(lab);
                cleanup.add(lab);
                out.printf(Locale.ROOT, "  lab up in %.1f s; measuring (%d s per run)%n", (System.nanoTime() - t0) / 1e9,
                        parameters.seconds());
                result.set("setup", lab.setup());
                // even rounds measure a lab's routes in reverse order (see Measurement)
                Map<String, ObjectNode> rows = measurement.measure(lab, round % 2 == 0);
                ObjectNode rowsNode = result.putObject("rows");
                rows.forEach(rowsNode::set);
                result.set("trouble", measurement.trouble());
                if (!measurement.pairs().isEmpty()) {
                    result.set("pairs", measurement.pairs());
                }
            } catch (Throwable e) {
                failure.set(e);
            } finally {
                if (lab != null) {
                    lab.close();
                    cleanup.remove(lab);
                }
            }
        });
        Duration deadline = deadline(scenario);
        boolean finished;
        try {
            finished = worker.join(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        if (!finished) {
            BenchLab lab = labRef.get();
            if (lab != null) {
                lab.close(); // ends iperf3 and ping, so the measuring thread returns
            }
            worker.interrupt();
            try {
                worker.join(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "timed out after " + deadline.toSeconds() + " s (the scenario's deadline)";
        }
        // a note about a route named like its scenario needs no second name in front
        String name = scenario.name();
        measurement.notes().forEach(n -> addNote(n.startsWith(name + " ") ? name + roundTag + n.substring(name.length())
                : name + roundTag + ": " + n));
        long pathsDown = 0;
        for (var e : measurement.trouble().properties()) {
            pathsDown += e.getKey().endsWith(".path_down_events") ? e.getValue().asLong() : 0;
        }
        if (pathsDown > 0) {
            addNote(scenario.name() + roundTag + ": the supervisors declared a path down " + pathsDown
                    + " time(s) while measuring (its routes withdrawn meanwhile; see trouble.*.path_down_events)");
        }
        Throwable e = failure.get();
        if (e != null) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
        List<String> stepErrors = new ArrayList<>();
        result.path("rows").properties().forEach(row -> row.getValue().properties().forEach(f -> {
            if (f.getValue().has("error")) {
                stepErrors.add(row.getKey() + " " + f.getKey() + ": " + f.getValue().path("error").asText());
            }
        }));
        out.printf(Locale.ROOT, "  done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        if (!stepErrors.isEmpty()) {
            return String.join("; ", stepErrors);
        }
        result.put("status", "ok");
        return null;
    }

    private synchronized void addNote(String note) {
        notes.add(note);
    }

    /** Generous: every step's own timeouts, tried twice, plus the lab's build and teardown. */
    private Duration deadline(Scenario scenario) {
        BenchParameters p = parameters;
        long perRoute = p.warmupSeconds() + p.pingWarmupCount() * 5L / 1000 + 3L * (p.seconds() + p.omitSeconds())
                + (long) p.pingIdleCount() * p.pingIntervalMs() / 1000 + 60;
        // the penalty's extra pairs: per pair 2 tests x 2 routes, each run up to twice like every step
        long pairs = scenario.routeCount() < 2 ? 0 : p.penaltyPairs() * 2L * 2 * (p.pairSeconds() + p.omitSeconds() + 10);
        return Duration.ofSeconds(180 + 2 * scenario.routeCount() * perRoute + 2 * pairs);
    }

    private synchronized ObjectNode envelope(boolean interrupted) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        ObjectNode scenariosCopy = scenarios.deepCopy();
        data.set("scenarios", scenariosCopy);
        data.set("ratios", BenchReport.ratios(scenariosCopy, parameters.streams()));
        ObjectNode penalty = BenchReport.floatingPenalty(scenariosCopy, parameters.streams());
        if (penalty != null) {
            data.set("floating_penalty", penalty);
        }
        data.set("notes", notes.deepCopy());

        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        meta.put("command", command);
        meta.put("date", started.toString());
        meta.set("machine", machine);
        meta.set("versions", versions);
        meta.set("parameters", parameters.toJson());
        Json.put(meta, "duration_s", Math.round((System.nanoTime() - startedNanos) / 1e8) / 10.0);
        meta.put("attempts", attempts);
        meta.put("rounds", options.rounds());
        meta.put("logs", workDir.toString());
        if (interrupted) {
            meta.put("interrupted", true);
        }
        boolean allOk = !interrupted && scenarios.size() == options.scenarios().size();
        for (var s : scenarios.properties()) {
            allOk &= "ok".equals(s.getValue().path("status").asText());
        }
        return BenchReport.envelope(allOk ? "ok" : "failed", data, meta);
    }

    static void write(ObjectNode envelope, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // write beside and move: a run stopped while writing never leaves half a file
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Json.MAPPER.writeValueAsString(envelope) + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
