package dev.braid.gateway.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.braid.ecmp.lab.Command;
import dev.braid.ecmp.lab.Iperf3;
import dev.braid.gateway.bench.BenchLab.Route;

/**
 * Runs the figures of one lab, every route step by step (route 1 then route 2 for each step, so
 * that two routes of one lab are compared under the same load of the box; {@code reversed} runs
 * them the other way round, and rounds alternate, because the second of two back-to-back runs
 * measured a few per cent slower here whichever route it was): warm-up, idle ping,
 * TCP 1 stream, TCP N streams with a ping and the CPU accounting running alongside, UDP at full
 * rate. Each iperf3 run gets a fresh one-off server on its own port. A step that fails is tried
 * once more; if it fails again its figure holds the error and the next step runs.
 *
 * <p>A lab with two routes (the floating-address penalty) then runs {@code penaltyPairs} more
 * back-to-back pairs of TCP runs, 1 and N streams, the order within a pair alternating from pair
 * to pair: a comparison of two routes that differ by less than one run's noise (±5 % per run
 * here) needs many pairs, each taken under the same moment's load, rather than one pair per round.
 */
final class Measurement {
    private static final int MAX_TRIES = 2;
    private static final Duration MARGIN = Duration.ofSeconds(30);

    private final BenchParameters p;
    private final Path logDir;
    private final Consumer<String> progress;
    private final BooleanSupplier cancelled;
    private final List<String> notes = new ArrayList<>();
    private final ArrayNode pairs = JsonNodeFactory.instance.arrayNode();
    private ObjectNode trouble = JsonNodeFactory.instance.objectNode();
    private int nextPort = 5201;

    Measurement(BenchParameters parameters, Path logDir, Consumer<String> progress, BooleanSupplier cancelled) {
        this.p = parameters;
        this.logDir = logDir;
        this.progress = progress;
        this.cancelled = cancelled;
    }

    /** Remarks gathered while measuring (stalls, idle paths, vanished processes). */
    List<String> notes() {
        return notes;
    }

    /**
     * The back-to-back pairs of a two-route lab, one entry per pair and test: {pair, source (main:
     * the main steps' runs; paired: the extra runs), test, seconds, order (route keys, first
     * first), bits_per_second {route key: figure}} or an error. Empty for a one-route lab.
     */
    ArrayNode pairs() {
        return pairs;
    }

    /** What went wrong (drops, paths down) over the whole measurement, see {@link BenchLab#troubleCounters}. */
    ObjectNode trouble() {
        return trouble;
    }

    /** Row key → figures, for every route of {@code lab}. */
    Map<String, ObjectNode> measure(BenchLab lab, boolean reversed) {
        Map<String, Long> troubleAtStart = lab.troubleCounters();
        try {
            return measureRoutes(lab, reversed);
        } finally {
            trouble = TroubleCounters.delta(troubleAtStart, lab.troubleCounters());
        }
    }

    private Map<String, ObjectNode> measureRoutes(BenchLab lab, boolean reversed) {
        Map<String, ObjectNode> rows = new LinkedHashMap<>();
        List<Route> order = reversed ? lab.routes().reversed() : lab.routes();
        for (int i = 0; i < lab.routes().size(); i++) {
            Route r = lab.routes().get(i);
            ObjectNode row = JsonNodeFactory.instance.objectNode();
            row.put("label", r.label());
            row.put("client", r.clientAddress());
            row.put("server", r.serverAddress());
            if (lab.routes().size() > 1) {
                row.put("measured_position", order.indexOf(r) + 1); // 1 = first of each back-to-back pair
            }
            rows.put(r.key(), row);
        }
        for (Route r : order) {
            step(r, "warm-up", () -> {
                iperf(r, p.warmupSeconds(), List.of("-P", Integer.toString(p.streams())));
                // and the small-packet path the idle ping takes: a worker's JIT compiles the bulk path
                // in the TCP warm-up, but a batch of one ping runs branches bulk traffic never takes;
                // measured cold, a fresh lab's first 200 idle pings had p50 0.69 ms against 0.38-0.52
                // for the next series (BENCHMARKS.md, "Odd things seen")
                warmUpPing(r);
                return null;
            });
        }
        pause(1000); // let the warm-up's queues drain before the idle ping
        for (Route r : order) {
            rows.get(r.key()).set("ping_idle", step(r, "idle ping", () -> ping(r, p.pingIdleCount()).toJson()));
        }
        for (Route r : order) {
            rows.get(r.key()).set("tcp_1", step(r, "tcp 1 stream", () -> tcp(r, 1).toJson()));
        }
        for (Route r : order) {
            ObjectNode loaded = step(r, "tcp " + p.streams() + " streams", () -> loadedTcp(lab, r));
            ObjectNode row = rows.get(r.key());
            if (loaded.has("error")) {
                row.set("tcp_" + p.streams(), loaded);
            } else {
                loaded.properties().forEach(e -> row.set(e.getKey(), e.getValue()));
            }
        }
        for (Route r : order) {
            rows.get(r.key()).set("udp", step(r, "udp", () -> IperfReport.udp(iperf(r, p.seconds(),
                    List.of("-u", "-b", "0", "-l", Integer.toString(p.udpDatagramBytes())))).toJson()));
        }
        for (Route r : order) {
            noteStalls(r.label(), rows.get(r.key()));
        }
        if (lab.routes().size() == 2) {
            measurePairs(order, rows);
        }
        return rows;
    }

    /** The main steps' TCP pairs, then the extra pairs, each pair's order the reverse of the one before. */
    private void measurePairs(List<Route> order, Map<String, ObjectNode> rows) {
        List<String> tests = List.of("tcp_" + p.streams(), "tcp_1");
        for (String test : tests) {
            ObjectNode entry = pairEntry(0, "main", test, p.seconds(), order);
            for (Route r : order) {
                addToPair(entry, r, rows.get(r.key()).path(test));
            }
            pairs.add(entry);
        }
        for (int k = 1; k <= p.penaltyPairs() && !cancelled.getAsBoolean(); k++) {
            List<Route> pairOrder = k % 2 == 1 ? order.reversed() : order;
            for (String test : tests) {
                int streams = test.equals("tcp_1") ? 1 : p.streams();
                ObjectNode entry = pairEntry(k, "paired", test, p.pairSeconds(), pairOrder);
                for (Route r : pairOrder) {
                    addToPair(entry, r, step(r, "pair " + k + " tcp " + streams, () -> tcp(r, streams, p.pairSeconds()).toJson()));
                }
                pairs.add(entry);
            }
        }
    }

    private static void addToPair(ObjectNode entry, Route r, JsonNode figure) {
        if (figure.has("bits_per_second")) {
            ((ObjectNode) entry.get("bits_per_second")).set(r.key(), figure.get("bits_per_second"));
        } else {
            entry.put("error", r.key() + ": " + figure.path("error").asText("not measured"));
        }
    }

    private static ObjectNode pairEntry(int pair, String source, String test, int seconds, List<Route> order) {
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.put("pair", pair);
        entry.put("source", source);
        entry.put("test", test);
        entry.put("seconds", seconds);
        ArrayNode keys = entry.putArray("order");
        order.forEach(r -> keys.add(r.key()));
        entry.putObject("bits_per_second");
        return entry;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ObjectNode step(Route r, String what, Callable<ObjectNode> body) {
        String last = "not run";
        for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
            if (cancelled.getAsBoolean()) {
                last = "cancelled";
                break;
            }
            try {
                ObjectNode result = body.call();
                if (result != null && attempt > 1) {
                    result.put("attempts", attempt);
                }
                progress.accept(String.format(Locale.ROOT, "    %-18s %-15s %s", r.label(), what,
                        result == null ? "done" : brief(result)));
                return result;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                last = "interrupted";
                break;
            } catch (Exception e) {
                last = e.getMessage() == null ? e.toString() : e.getMessage();
                progress.accept(String.format(Locale.ROOT, "    %-18s %-15s failed (try %d of %d): %s", r.label(), what,
                        attempt, MAX_TRIES, firstLine(last)));
                if (attempt < MAX_TRIES) {
                    pause(2000); // a path the supervisor just withdrew may be back by then
                }
            }
        }
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("error", last);
        error.put("attempts", MAX_TRIES);
        return error;
    }

    private IperfReport.Tcp tcp(Route r, int streams) throws IOException {
        return tcp(r, streams, p.seconds());
    }

    private IperfReport.Tcp tcp(Route r, int streams, int seconds) throws IOException {
        return IperfReport.tcp(iperf(r, seconds, List.of("-O", Integer.toString(p.omitSeconds()),
                "-P", Integer.toString(streams))));
    }

    /** The N-stream TCP run, and what is measured while it runs: RTT under load, CPU, path bytes. */
    private ObjectNode loadedTcp(BenchLab lab, Route r) throws Exception {
        List<String> client = clientCommand(r, startServer(r), p.seconds(), List.of("-O", Integer.toString(p.omitSeconds()),
                "-P", Integer.toString(p.streams())));
        Duration clientTimeout = Duration.ofSeconds(p.seconds() + p.omitSeconds()).plus(MARGIN);
        CompletableFuture<Command.Result> run = CompletableFuture.supplyAsync(
                () -> r.client().tryRun(clientTimeout, client), task -> Thread.ofPlatform().daemon().start(task));
        // the window opens when iperf3 stops omitting, so CPU time and counted bytes cover the same span
        Thread.sleep(p.omitSeconds() * 1000L + 200);
        if (run.isDone()) {
            throw new IOException("iperf3 ended before the measured window: " + failure(run.get()));
        }
        Map<String, Long> troubleStart = lab.troubleCounters();
        ProcCpu.Window cpu = new ProcCpu.Window(ProcCpu::readProcessTicks);
        cpu.start(lab.tunnelPids());
        ProcCpu.SystemTicks boxStart = ProcCpu.readSystemTicks();
        long[] pathsStart = lab.pathBytes();
        long t0 = System.nanoTime();
        CompletableFuture<String> ping = CompletableFuture.supplyAsync(() -> pingOutput(r, p.pingLoadCount()),
                task -> Thread.ofPlatform().daemon().start(task));
        Command.Result result = run.get(clientTimeout.toSeconds() + 10, TimeUnit.SECONDS);
        long t1 = System.nanoTime();
        ProcCpu.Window.Usage used = cpu.finish(lab.tunnelPids());
        ProcCpu.SystemTicks box = ProcCpu.readSystemTicks().minus(boxStart);
        long[] pathsEnd = lab.pathBytes();
        ObjectNode troubleDuringRun = TroubleCounters.delta(troubleStart, lab.troubleCounters());
        String pingText = ping.get(60, TimeUnit.SECONDS);
        if (!result.ok()) {
            throw new IOException(failure(result));
        }
        IperfReport.Tcp tcp = IperfReport.tcp(result.stdout());

        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.set("tcp_" + p.streams(), tcp.toJson());
        try {
            out.set("ping_load", PingReport.parse(pingText).toJson());
        } catch (IllegalArgumentException e) {
            out.putObject("ping_load").put("error", e.getMessage());
        }
        out.set("cpu", cpuFigures(lab, tcp, used, box, (t1 - t0) / 1e9, r.label()));
        if (pathsStart.length > 0) {
            out.set("paths", pathFigures(pathsStart, pathsEnd, r.label()));
            out.set("per_path_cpu_s_per_gb", perPathCpu(used, pathsStart, pathsEnd));
        }
        out.set("trouble", troubleDuringRun);
        if (!troubleDuringRun.isEmpty()) {
            List<String> parts = new ArrayList<>();
            troubleDuringRun.properties().forEach(e -> parts.add(e.getKey() + " " + e.getValue().asLong()));
            notes.add(r.label() + " during the " + p.streams() + "-stream run: " + String.join(", ", parts));
        }
        return out;
    }

    private ObjectNode cpuFigures(BenchLab lab, IperfReport.Tcp tcp, ProcCpu.Window.Usage used, ProcCpu.SystemTicks box,
                                  double windowSeconds, String label) {
        double hz = ProcCpu.clockTicksPerSecond();
        double gbPerSecond = tcp.receivedSeconds() > 0 ? tcp.receivedBytes() / 1e9 / tcp.receivedSeconds() : Double.NaN;
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        Json.put(o, "window_s", windowSeconds);
        Json.put(o, "gb_per_second", gbPerSecond);
        if (used.ticksByGroup().isEmpty()) {
            o.put("tunnel", "kernel only");
            o.putNull("cpu_s_per_gb");
        } else {
            ObjectNode bySite = o.putObject("tunnel_cpu_s");
            used.ticksByGroup().forEach((site, ticks) -> Json.put(bySite, site, ticks / hz));
            double tunnelSeconds = used.totalTicks() / hz;
            Json.put(o, "tunnel_cpu_s_total", tunnelSeconds);
            Json.put(o, "tunnel_cores", tunnelSeconds / windowSeconds);
            Json.put(o, "cpu_s_per_gb", tunnelSeconds / windowSeconds / gbPerSecond);
            if (!used.vanished().isEmpty()) {
                notes.add(label + ": tunnel processes " + used.vanished() + " ended during the loaded run (their CPU time is missing)");
                o.put("vanished_pids", used.vanished().toString());
            }
        }
        double boxBusySeconds = box.busy() / hz;
        Json.put(o, "box_busy_cores", boxBusySeconds / windowSeconds);
        Json.put(o, "box_cpu_s_per_gb", boxBusySeconds / windowSeconds / gbPerSecond);
        Json.put(o, "steal_percent", box.total() == 0 ? Double.NaN : 100.0 * box.steal() / box.total());
        return o;
    }

    /**
     * The scaling figure: for path i, the CPU seconds of its two workers (one per site) per GB it
     * carried. Workers share no locks, queues or caches, so this must not grow with the number of
     * workers; with it, N cores carry about N / (CPU s per GB) GB/s.
     */
    private static com.fasterxml.jackson.databind.node.ArrayNode perPathCpu(ProcCpu.Window.Usage used, long[] start, long[] end) {
        double hz = ProcCpu.clockTicksPerSecond();
        var out = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < start.length; i++) {
            long ticks = used.ticksByGroup().getOrDefault("a/" + BraidLab.WORKER_GROUP + i, 0L)
                    + used.ticksByGroup().getOrDefault("b/" + BraidLab.WORKER_GROUP + i, 0L);
            double gb = Math.max(0, end[i] - start[i]) / 1e9;
            out.add(gb > 0 ? Math.round(100.0 * ticks / hz / gb) / 100.0 : Double.NaN);
        }
        return out;
    }

    private ObjectNode pathFigures(long[] start, long[] end, String label) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        long[] bytes = new long[start.length];
        long total = 0;
        for (int i = 0; i < start.length; i++) {
            bytes[i] = Math.max(0, end[i] - start[i]);
            total += bytes[i];
        }
        var bytesArray = o.putArray("bytes");
        var shares = o.putArray("share_percent");
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < bytes.length; i++) {
            bytesArray.add(bytes[i]);
            shares.add(total == 0 ? 0.0 : Math.round(1000.0 * bytes[i] / total) / 10.0);
            min = Math.min(min, bytes[i]);
            max = Math.max(max, bytes[i]);
            if (bytes[i] == 0) {
                notes.add(label + ": path " + i + " carried no bytes during the " + p.streams() + "-stream run");
            }
        }
        Json.put(o, "balance", min == 0 ? Double.NaN : (double) max / min);
        return o;
    }

    private void noteStalls(String label, ObjectNode row) {
        for (String key : List.of("tcp_1", "tcp_" + p.streams())) {
            JsonNode perSecond = row.path(key).path("per_second_bits_per_second");
            double min = Json.number(perSecond, "min");
            double median = Json.number(perSecond, "p50");
            if (Double.isFinite(min) && Double.isFinite(median) && min < 0.1 * median) {
                notes.add(String.format(Locale.ROOT, "%s %s: a second at %.3f Gbit/s against a median of %.3f (a stall)",
                        label, key, min / 1e9, median / 1e9));
            }
        }
    }

    /**
     * {@code pingWarmupCount} pings at 1 ms, their figures discarded. A few lost ones (exit 1) do not
     * matter here; ping's own errors (exit 2: bad address, no route) fail the warm-up step.
     */
    private void warmUpPing(Route r) throws IOException {
        Command.Result result = runPing(r, p.pingWarmupCount(), 1);
        if (result.exitCode() != 0 && result.exitCode() != 1) {
            throw new IOException("warm-up ping exited " + result.exitCode() + ": " + (result.stdout() + " " + result.stderr()).strip());
        }
    }

    private PingReport ping(Route r, int count) throws IOException {
        return PingReport.parse(pingOutput(r, count));
    }

    /** ping's output; exit 1 (some replies missing) still has a summary worth parsing. */
    private String pingOutput(Route r, int count) {
        Command.Result result = runPing(r, count, p.pingIntervalMs());
        return result.stdout() + (result.ok() ? "" : "\n" + result.stderr());
    }

    /** {@code count} pings from the route's client address, one every {@code intervalMs}. */
    private static Command.Result runPing(Route r, int count, int intervalMs) {
        List<String> cmd = List.of("ping", "-n", "-c", Integer.toString(count), "-i",
                String.format(Locale.ROOT, "%.3f", intervalMs / 1000.0), "-W", "1", "-I", r.clientAddress(),
                r.serverAddress());
        Duration timeout = Duration.ofMillis((long) count * intervalMs * 2).plus(MARGIN);
        return r.client().tryRun(timeout, cmd);
    }

    private String iperf(Route r, int seconds, List<String> args) throws IOException {
        int port = startServer(r);
        Command.Result result = r.client().tryRun(Duration.ofSeconds(seconds + p.omitSeconds()).plus(MARGIN),
                clientCommand(r, port, seconds, args));
        if (!result.ok()) {
            throw new IOException(failure(result));
        }
        return result.stdout();
    }

    private int startServer(Route r) throws IOException {
        int port = nextPort;
        nextPort = nextPort >= 5299 ? 5201 : nextPort + 1;
        Iperf3.server(r.server(), r.serverAddress(), port, logDir.resolve("iperf3-server.log"));
        return port;
    }

    private static List<String> clientCommand(Route r, int port, int seconds, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("iperf3", "-c", r.serverAddress(), "-p", Integer.toString(port),
                "-B", r.clientAddress(), "-t", Integer.toString(seconds), "-J", "-i", "1"));
        cmd.addAll(args);
        return cmd;
    }

    /** iperf3 -J puts its error into the JSON on stdout; show that rather than the whole report. */
    private static String failure(Command.Result result) {
        String error = "";
        try {
            error = Json.MAPPER.readTree(result.stdout()).path("error").asText("");
        } catch (Exception notJson) {
            // fall through to the raw output
        }
        String detail = !error.isEmpty() ? error : (result.stderr() + " " + result.stdout()).strip();
        return "iperf3 exited " + result.exitCode() + ": " + (detail.length() > 300 ? detail.substring(0, 300) + "…" : detail);
    }

    private String brief(ObjectNode result) {
        String key = "tcp_" + p.streams();
        JsonNode tcp = result.has(key) ? result.get(key) : result;
        if (tcp.has("bits_per_second")) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.3f Gbit/s", Json.number(tcp, "bits_per_second") / 1e9));
            if (tcp.has("lost_percent")) {
                sb.append(String.format(Locale.ROOT, ", %.1f %% lost", Json.number(tcp, "lost_percent")));
            }
            double cpu = Json.number(result, "cpu.cpu_s_per_gb");
            if (Double.isFinite(cpu)) {
                sb.append(String.format(Locale.ROOT, ", %.2f CPU s/GB", cpu));
            }
            JsonNode shares = result.path("paths").path("share_percent");
            if (shares.size() > 1) {
                sb.append(", paths ").append(shares.toString().replace("[", "").replace("]", "").replace(",", "/")).append(" %");
            }
            return sb.toString();
        }
        if (result.has("rtt_ms")) {
            return String.format(Locale.ROOT, "rtt p50 %.3f ms, p99 %.3f ms", Json.number(result, "rtt_ms.p50"),
                    Json.number(result, "rtt_ms.p99"));
        }
        return "done";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
