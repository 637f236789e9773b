package dev.braid.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongFunction;

import dev.braid.ecmp.lab.Command;

/**
 * CPU time from procfs, for "CPU seconds per GB": a process's user + system time is fields 14 and
 * 15 of /proc/PID/stat (clock ticks, all its threads), read at the start and the end of a
 * measurement window; the machine's busy and stolen time come from the first line of /proc/stat.
 * A process that appears during the window counts with all its time; one that vanishes loses what
 * it used since the first sample, and the window says so.
 */
public final class ProcCpu {
    private ProcCpu() {
    }

    /** utime + stime in clock ticks from one /proc/PID/stat line. */
    public static long processTicks(String statLine) {
        // the command name (field 2) is in parentheses and may itself hold spaces and parentheses
        int close = statLine.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + abbreviate(statLine));
        }
        String[] rest = statLine.substring(close + 1).trim().split("\\s+");
        // rest[0] is field 3 (state): utime is field 14, stime field 15
        if (rest.length < 13) {
            throw new IllegalArgumentException("/proc/PID/stat line too short: " + abbreviate(statLine));
        }
        return Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
    }

    /** The command name (field 2) of a /proc/PID/stat line. */
    public static String processName(String statLine) {
        int open = statLine.indexOf('(');
        int close = statLine.lastIndexOf(')');
        return open < 0 || close < open ? "" : statLine.substring(open + 1, close);
    }

    /** The machine's aggregate CPU time (all CPUs) in clock ticks, from /proc/stat's "cpu" line. */
    public record SystemTicks(long busy, long steal, long total) {
        public SystemTicks minus(SystemTicks earlier) {
            return new SystemTicks(busy - earlier.busy, steal - earlier.steal, total - earlier.total);
        }
    }

    /** Parses the "cpu  user nice system idle iowait irq softirq steal guest guest_nice" line. */
    public static SystemTicks systemTicks(String procStat) {
        for (String line : procStat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.substring(4).trim().split("\\s+");
                long[] v = new long[10];
                for (int i = 0; i < Math.min(f.length, 10); i++) {
                    v[i] = Long.parseLong(f[i]);
                }
                long busy = v[0] + v[1] + v[2] + v[5] + v[6]; // user nice system irq softirq (guest is inside user)
                long total = busy + v[3] + v[4] + v[7];     // + idle iowait steal
                return new SystemTicks(busy, v[7], total);
            }
        }
        throw new IllegalArgumentException("no aggregate 'cpu ' line in /proc/stat text");
    }

    public static SystemTicks readSystemTicks() {
        try {
            return systemTicks(Files.readString(Path.of("/proc/stat")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/stat: " + e.getMessage(), e);
        }
    }

    /** utime + stime of a live process, empty when it is gone. */
    public static OptionalLong readProcessTicks(long pid) {
        try {
            return OptionalLong.of(processTicks(Files.readString(Path.of("/proc/" + pid + "/stat"))));
        } catch (IOException | IllegalArgumentException gone) {
            return OptionalLong.empty();
        }
    }

    /** The command name of a live process, "" when it is gone. */
    public static String readProcessName(long pid) {
        try {
            return processName(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException gone) {
            return "";
        }
    }

    private static long clockTicks;

    /** USER_HZ (getconf CLK_TCK), 100 on every Linux build we know of when getconf is missing. */
    public static synchronized long clockTicksPerSecond() {
        if (clockTicks == 0) {
            Command.Result r = Command.run(Duration.ofSeconds(5), List.of("getconf", "CLK_TCK"));
            long hz = 100;
            if (r.ok()) {
                try {
                    hz = Long.parseLong(r.stdout().strip());
                } catch (NumberFormatException ignored) {
                    // keep the default
                }
            }
            clockTicks = hz > 0 ? hz : 100;
        }
        return clockTicks;
    }

    /** CPU ticks used per group of processes (a site's tunnel processes) between two samples. */
    public static final class Window {
        private final LongFunction<OptionalLong> ticksOf;
        private final Map<String, Map<Long, Long>> start = new LinkedHashMap<>();

        /** @param ticksOf utime + stime of a pid, empty when it is gone (procfs, or a fake in tests) */
        public Window(LongFunction<OptionalLong> ticksOf) {
            this.ticksOf = ticksOf;
        }

        public void start(Map<String, List<Long>> pidsByGroup) {
            start.clear();
            pidsByGroup.forEach((group, pids) -> {
                Map<Long, Long> ticks = new HashMap<>();
                for (long pid : pids) {
                    ticksOf.apply(pid).ifPresent(t -> ticks.put(pid, t));
                }
                start.put(group, ticks);
            });
        }

        /** Ticks per group since {@link #start}, and the pids that went away meanwhile. */
        public record Usage(Map<String, Long> ticksByGroup, List<Long> vanished, List<Long> appeared) {
            public long totalTicks() {
                return ticksByGroup.values().stream().mapToLong(Long::longValue).sum();
            }
        }

        public Usage finish(Map<String, List<Long>> pidsByGroup) {
            Map<String, Long> used = new LinkedHashMap<>();
            List<Long> vanished = new ArrayList<>();
            List<Long> appeared = new ArrayList<>();
            for (Map.Entry<String, Map<Long, Long>> e : start.entrySet()) {
                List<Long> now = pidsByGroup.getOrDefault(e.getKey(), List.of());
                long sum = 0;
                for (long pid : now) {
                    OptionalLong t = ticksOf.apply(pid);
                    if (t.isEmpty()) {
                        continue;
                    }
                    Long before = e.getValue().get(pid);
                    if (before == null) {
                        appeared.add(pid);
                        sum += t.getAsLong();
                    } else {
                        sum += Math.max(0, t.getAsLong() - before);
                    }
                }
                for (long pid : e.getValue().keySet()) {
                    if (!now.contains(pid)) {
                        vanished.add(pid);
                    }
                }
                used.put(e.getKey(), sum);
            }
            return new Usage(used, vanished, appeared);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }
}
