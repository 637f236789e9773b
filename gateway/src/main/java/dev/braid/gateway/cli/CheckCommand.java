package dev.braid.gateway.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import dev.braid.gateway.config.ConfigError;
import dev.braid.gateway.config.ConfigException;
import dev.braid.gateway.config.SiteConfig;
import dev.braid.gateway.config.SiteConfigLoader;
import dev.braid.gateway.plan.SitePlan;
import dev.braid.gateway.plan.SitePlanner;
import dev.braid.gateway.plan.WorkerPlan;

/**
 * `braid check CONFIG`: load and check a site config, plan it against this machine's CPUs and print
 * the plan, or print every problem (FILE:LINE: FIELD: problem) and exit 2. It reads the config, the
 * key files it names and the CPU topology; it writes nothing and starts nothing, so it is safe to run
 * on a live gateway before `braid run`.
 */
public final class CheckCommand implements CliCommand {
    private final Supplier<SitePlanner> planner;

    public CheckCommand() {
        this(SitePlanner::forThisMachine);
    }

    /** With another planner (tests pass one with a fake CPU topology). */
    public CheckCommand(SitePlanner planner) {
        this(() -> planner);
    }

    private CheckCommand(Supplier<SitePlanner> planner) {
        this.planner = planner;
    }

    @Override
    public String name() {
        return "check";
    }

    @Override
    public String summary() {
        return "check a site config and print the plan, changing nothing (exit 2 on errors)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() == 1 && List.of("-h", "--help").contains(args.getFirst())) {
            out.println(usage());
            return OK;
        }
        if (args.size() != 1 || args.getFirst().startsWith("-")) {
            err.println(usage());
            return USAGE;
        }
        Path file = Path.of(args.getFirst());
        SitePlanLoading.Outcome loaded = SitePlanLoading.load(file, planner.get(), err, name());
        if (loaded.plan() == null) {
            return loaded.exitStatus();
        }
        SitePlan plan = loaded.plan();
        out.print(render(plan, file));
        return OK;
    }

    private static String usage() {
        return "usage: braid check CONFIG   (reads the site config, its key files and this machine's CPUs; changes nothing)";
    }

    /** The plan as a header of settings and a table with one row per worker. */
    static String render(SitePlan plan, Path file) {
        SiteConfig config = plan.config();
        List<WorkerPlan> workers = plan.workers();
        StringBuilder text = new StringBuilder();
        text.append(file).append(": valid; plan for site ").append(plan.site()).append(" on this machine (nothing was changed)\n\n");

        WorkerPlan first = workers.getFirst();
        WorkerPlan last = workers.getLast();
        row(text, "site", plan.site());
        row(text, "public key", plan.localPublicKey() + "  (ours, from " + config.privateKeyFile() + ")");
        row(text, "peer key", plan.peerPublicKey().toString());
        row(text, "peer endpoint", config.peer().endpoint().hostForUri() + " UDP " + portRange(first.peerPort(), last.peerPort()));
        row(text, "listen", "UDP " + portRange(first.listenPort(), last.listenPort()) + " (worker i on base + i)");
        row(text, "preshared key", config.peer().presharedKeyFile().map(Path::toString).orElse("none"));
        row(text, "workers", workers.size() + (config.workerCount().isEmpty() ? " (auto)" : "")
                + (config.allowOversubscription() ? ", oversubscription allowed" : ""));
        row(text, "tunnel MTU", plan.tunnelMtuBytes() + (config.mtuBytes().isEmpty()
                ? " (auto: underlay " + config.underlayMtuBytes() + " - " + (config.underlayMtuBytes() - plan.tunnelMtuBytes()) + " tunnel overhead)"
                : " (set; underlay " + config.underlayMtuBytes() + ")"));
        row(text, "floating", plan.floatingAddress() + " on " + plan.floatingInterface()
                + " (falls back to lo where the kernel has no dummy links)");
        row(text, "routes", plan.routedPrefixes().stream().map(Object::toString).collect(Collectors.joining(", "))
                + " -> nexthop group " + plan.nexthopGroupId() + " (resilient, one nexthop per live worker), src "
                + plan.floatingAddress().addressText());
        row(text, "local LANs", config.localPrefixes().isEmpty() ? "none listed"
                : config.localPrefixes().stream().map(Object::toString).collect(Collectors.joining(", ")));
        row(text, "link addresses", "this site takes ." + (plan.takesFirstAddress() ? 1 : 2) + " of each /30 of " + config.linkPool()
                + " (its public key is the " + (plan.takesFirstAddress() ? "lower" : "higher") + " one)");
        row(text, "housekeeping CPU", plan.housekeepingCpu().isPresent() ? String.valueOf(plan.housekeepingCpu().getAsInt())
                : "none spare (the supervisor shares the workers' CPUs)");
        row(text, "health", "keepalive every " + config.health().keepaliveIntervalMs() + " ms, path dead after "
                + config.health().deadAfterMs() + " ms, restart backoff up to " + config.health().restartBackoffMaxSeconds() + " s");
        row(text, "metrics", config.metrics().listen().map(l -> "http://" + l + "/metrics").orElse("off"));
        row(text, "state dir", plan.stateDir().toString());
        if (!plan.notes().isEmpty()) {
            text.append("notes:\n");
            for (String note : plan.notes()) {
                text.append("  - ").append(note).append('\n');
            }
        }
        text.append('\n');

        List<List<String>> table = new ArrayList<>();
        table.add(List.of("worker", "CPU", "UDP port (local->peer)", "TUN", "local link", "peer link", "nexthop id"));
        for (WorkerPlan w : workers) {
            table.add(List.of(String.valueOf(w.index()), String.valueOf(w.cpu()), w.listenPort() + "->" + w.peerPort(),
                    w.tunName(), w.localLinkAddress().toString(), w.peerLinkAddress().toString(), String.valueOf(w.nexthopId())));
        }
        appendTable(text, table);
        return text.toString();
    }

    private static String portRange(int from, int to) {
        return from == to ? String.valueOf(from) : from + ".." + to;
    }

    private static void row(StringBuilder text, String label, String value) {
        text.append(String.format("%-17s %s%n", label, value));
    }

    private static void appendTable(StringBuilder text, List<List<String>> rows) {
        int columns = rows.getFirst().size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(String.format("%-" + widths[c] + "s", row.get(c)));
                if (c < columns - 1) {
                    line.append("  ");
                }
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
