package dev.braid.gateway.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The flags of `braid bench`, parsed and checked before anything is built. {@code --only} takes
 * scenario names: underlay, wireguard-go (or wg), braid-K for any K (braid-N means the --workers
 * count), floating-penalty (or floating). Without it: underlay, wireguard-go, braid-1, braid-N,
 * floating-penalty, in that order (braid-N is left out when N is 1).
 */
public record BenchOptions(int workers, int seconds, boolean quick, Path out, List<Scenario> scenarios, int attempts,
                           int rounds, Path show) {
    public static final String USAGE = "usage: braid bench [--workers N] [--seconds S] [--quick] [--out FILE]"
            + " [--only SCENARIO,...] [--rounds R] [--attempts A]\n"
            + "       braid bench --show FILE   (print the table of an earlier result file)\n"
            + "  scenarios: underlay, wireguard-go, braid-1, braid-N (N = --workers, default: CPU count),\n"
            + "             any braid-K, floating-penalty\n"
            + "  --seconds S  length of each iperf3 run (default 10, --quick 5); --quick also shortens warm-up, pings\n"
            + "               and the floating penalty's pairs\n"
            + "  --rounds R   measure every scenario R times, rounds interleaved; figures are medians, spread shown";

    public static final int MAX_WORKERS = 16;

    /** A flag that does not parse; its message says which and why. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    public BenchParameters parameters() {
        return BenchParameters.of(seconds, quick);
    }

    public static BenchOptions parse(List<String> args, int cpuCount) throws UsageException {
        int workers = Math.max(1, Math.min(MAX_WORKERS, cpuCount));
        Integer seconds = null;
        boolean quick = false;
        Path out = null;
        String only = null;
        int attempts = 2;
        int rounds = 1;
        Path show = null;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            switch (flag) {
                case "--quick" -> quick = true;
                case "--workers" -> workers = number(flag, value(args, ++i, flag), 1, MAX_WORKERS);
                case "--seconds" -> seconds = number(flag, value(args, ++i, flag), 2, 3600);
                case "--attempts" -> attempts = number(flag, value(args, ++i, flag), 1, 5);
                case "--rounds" -> rounds = number(flag, value(args, ++i, flag), 1, 10);
                case "--out" -> out = Path.of(value(args, ++i, flag));
                case "--only" -> only = value(args, ++i, flag);
                case "--show" -> show = Path.of(value(args, ++i, flag));
                default -> throw new UsageException("unknown argument '" + flag + "'");
            }
        }
        int s = seconds != null ? seconds : quick ? BenchParameters.QUICK_SECONDS : BenchParameters.DEFAULT_SECONDS;
        return new BenchOptions(workers, s, quick, out, only == null ? defaults(workers) : selected(only, workers),
                attempts, rounds, show);
    }

    static List<Scenario> defaults(int workers) {
        List<Scenario> list = new ArrayList<>(List.of(Scenario.underlay(), Scenario.wireguardGo(), Scenario.braid(1)));
        if (workers > 1) {
            list.add(Scenario.braid(workers));
        }
        list.add(Scenario.floatingPenalty());
        return list;
    }

    private static List<Scenario> selected(String only, int workers) throws UsageException {
        List<Scenario> list = new ArrayList<>();
        for (String raw : only.split(",")) {
            String name = raw.strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            Scenario s = switch (name) {
                case "underlay" -> Scenario.underlay();
                case "wireguard-go", "wg", "wireguard" -> Scenario.wireguardGo();
                case "floating-penalty", "floating" -> Scenario.floatingPenalty();
                case "braid-n" -> Scenario.braid(workers);
                default -> braidK(name, raw);
            };
            if (!list.contains(s)) {
                list.add(s);
            }
        }
        if (list.isEmpty()) {
            throw new UsageException("--only names no scenario");
        }
        return list;
    }

    private static Scenario braidK(String name, String raw) throws UsageException {
        if (name.startsWith("braid-")) {
            try {
                int k = Integer.parseInt(name.substring("braid-".length()));
                if (k >= 1 && k <= MAX_WORKERS) {
                    return Scenario.braid(k);
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw new UsageException("--only: unknown scenario '" + raw.strip() + "' (known: underlay, wireguard-go,"
                + " braid-1 .. braid-" + MAX_WORKERS + ", braid-N, floating-penalty)");
    }

    private static String value(List<String> args, int i, String flag) throws UsageException {
        if (i >= args.size()) {
            throw new UsageException(flag + " needs a value");
        }
        return args.get(i);
    }

    private static int number(String flag, String text, int min, int max) throws UsageException {
        try {
            int v = Integer.parseInt(text);
            if (v < min || v > max) {
                throw new UsageException(flag + " must be " + min + ".." + max + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " needs a whole number, got '" + text + "'");
        }
    }
}
