package dev.braid.pinning;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The CPUs this process may run workers on, as sysfs and procfs describe them: which logical CPUs
 * share a physical core (SMT siblings), which cores are performance (P) or efficiency (E) cores on
 * hybrid Intel parts, which CPUs the process may use (its affinity mask: containers and cgroups
 * narrow it) and which are isolated from the general scheduler (isolcpus=).
 *
 * <p>Data flow: {@link #read(Path)} (or {@link #readLocal()}) hands the tree to
 * {@link SysfsTopologyReader}, which reads the online list, each online CPU's topology directory,
 * the hybrid PMU lists, the isolated list and the process's allowed list, and builds this record.
 * Only online CPUs appear. {@link CpuPlan} then asks {@link #usableCpus()} where workers may go.
 * Anything the reader had to guess at (a missing file) is said in {@link #notes()}.
 *
 * <p>Isolated CPUs: isolcpus= CPUs are usually reserved precisely for pinned data-plane threads,
 * and since the kernel leaves them out of init's affinity mask, an ordinary process's allowed set
 * excludes them though it may still pin threads there. So an isolated CPU is usable when it is in
 * the allowed set, or when the allowed set is exactly what isolcpus leaves (every non-isolated
 * online CPU is allowed). When the allowed set is narrower than that, a container cpuset or a
 * taskset has narrowed the process on purpose (and pinning outside a cpuset fails), so isolated
 * CPUs outside it are left alone and reported by {@link #ignoredIsolatedCpus()}.
 *
 * @param cores        the physical cores with at least one online CPU, ordered by first CPU
 * @param allowedCpus  the online CPUs in the process's affinity mask
 * @param isolatedCpus the online CPUs the kernel isolates from the general scheduler (isolcpus=)
 * @param notes        what the reader assumed because a file was missing, for `braid check`
 */
public record CpuTopology(List<PhysicalCore> cores, Set<Integer> allowedCpus, Set<Integer> isolatedCpus,
                          List<String> notes) {

    /** What kind of core a physical core is. Non-hybrid machines report every core as PERFORMANCE. */
    public enum CoreKind {
        PERFORMANCE("P-core"), EFFICIENCY("E-core");

        private final String label;

        CoreKind(String label) {
            this.label = label;
        }

        /** "P-core" or "E-core", as `braid check` prints it. */
        public String label() {
            return label;
        }
    }

    /**
     * One physical core: its logical CPUs (SMT siblings, ascending; the first is the one workers use
     * when the process may use it).
     *
     * @param dieId     the die within the package (0 where the kernel does not say)
     * @param clusterId the cluster of cores sharing an L2 (E-cores come in fours), -1 if unknown
     */
    public record PhysicalCore(int packageId, int coreId, CoreKind kind, List<Integer> logicalCpus,
                               int dieId, int clusterId) {

        public PhysicalCore {
            if (kind == null) {
                throw new IllegalArgumentException("core kind is required");
            }
            if (logicalCpus == null || logicalCpus.isEmpty()) {
                throw new IllegalArgumentException("a physical core needs at least one logical CPU");
            }
            logicalCpus = List.copyOf(new TreeSet<>(logicalCpus));
        }

        /** The agreed four-field form; die 0, cluster unknown. */
        public PhysicalCore(int packageId, int coreId, CoreKind kind, List<Integer> logicalCpus) {
            this(packageId, coreId, kind, logicalCpus, 0, -1);
        }

        public int firstCpu() {
            return logicalCpus.getFirst();
        }
    }

    /** The tree could not be read: a file is malformed or unreadable; the message names it. */
    public static final class CpuTopologyException extends RuntimeException {
        public CpuTopologyException(String message) {
            super(message);
        }

        public CpuTopologyException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public CpuTopology {
        cores = cores.stream().sorted(Comparator.comparingInt(PhysicalCore::firstCpu)).toList();
        Set<Integer> seen = new TreeSet<>();
        for (PhysicalCore core : cores) {
            for (int cpu : core.logicalCpus()) {
                if (!seen.add(cpu)) {
                    throw new IllegalArgumentException("cpu " + cpu + " belongs to two physical cores");
                }
            }
        }
        allowedCpus = sortedCopy(allowedCpus);
        isolatedCpus = sortedCopy(isolatedCpus);
        notes = List.copyOf(notes);
    }

    /** The agreed three-field form, without reader notes. */
    public CpuTopology(List<PhysicalCore> cores, Set<Integer> allowedCpus, Set<Integer> isolatedCpus) {
        this(cores, allowedCpus, isolatedCpus, List.of());
    }

    /**
     * Reads the topology of the machine this JVM runs on. Call it in the supervisor before it pins
     * itself to the housekeeping CPU, and keep the answer: once the process is narrowed (the
     * supervisor pinned, or a worker started under {@code taskset -c <housekeeping>}), the allowed
     * set it reports is that narrow one.
     *
     * <p>The allowed CPUs come from {@code /proc/self/status} (Cpus_allowed_list), the same parser
     * the recorded trees test, and it reports the process's mask (its thread-group leader) rather
     * than the calling thread's, so a thread that already pinned itself cannot shrink the answer.
     * Only when /proc gives no answer does it ask {@code sched_getaffinity(getpid())} through JNA.
     */
    public static CpuTopology readLocal() {
        return SysfsTopologyReader.read(Path.of("/"), LinuxAffinity::processAllowedCpus,
                Runtime.getRuntime().availableProcessors());
    }

    /**
     * Reads from a recorded tree: {@code root} holds {@code sys/devices/system/cpu/...},
     * {@code sys/devices/cpu_core/cpus} etc. and {@code proc/self/status} (for Cpus_allowed_list).
     */
    public static CpuTopology read(Path root) {
        return SysfsTopologyReader.read(root, Optional::empty, 1);
    }

    /** Every online CPU, ascending. */
    public SortedSet<Integer> onlineCpus() {
        TreeSet<Integer> online = new TreeSet<>();
        cores.forEach(core -> online.addAll(core.logicalCpus()));
        return Collections.unmodifiableSortedSet(online);
    }

    /** Where workers (and the housekeeping CPU) may be pinned: allowed CPUs plus usable isolated ones. */
    public SortedSet<Integer> usableCpus() {
        TreeSet<Integer> usable = new TreeSet<>(allowedCpus);
        if (isolatedOutsideAllowedAreUsable()) {
            usable.addAll(isolatedCpus);
        }
        usable.retainAll(onlineCpus());
        return Collections.unmodifiableSortedSet(usable);
    }

    /** Isolated CPUs left unused because the process was narrowed to a set that excludes them. */
    public SortedSet<Integer> ignoredIsolatedCpus() {
        TreeSet<Integer> ignored = new TreeSet<>(isolatedCpus);
        ignored.retainAll(onlineCpus());
        ignored.removeAll(usableCpus());
        return Collections.unmodifiableSortedSet(ignored);
    }

    private boolean isolatedOutsideAllowedAreUsable() {
        TreeSet<Integer> housekeepingCpus = new TreeSet<>(onlineCpus());
        housekeepingCpus.removeAll(isolatedCpus);
        return allowedCpus.containsAll(housekeepingCpus);
    }

    /** True when the machine has both P- and E-cores. */
    public boolean isHybrid() {
        return cores.stream().anyMatch(core -> core.kind() == CoreKind.EFFICIENCY)
                && cores.stream().anyMatch(core -> core.kind() == CoreKind.PERFORMANCE);
    }

    /** The physical core holding a logical CPU, if it is online. */
    public Optional<PhysicalCore> coreOf(int cpu) {
        return cores.stream().filter(core -> core.logicalCpus().contains(cpu)).findFirst();
    }

    /**
     * "P-core 1": the core's kind and its position among cores of that kind, counted from 0; on a
     * machine without E-cores just "core 1" (calling a Celeron's cores "P-cores" would mislead).
     */
    public String labelOf(PhysicalCore core) {
        int index = 0;
        for (PhysicalCore other : cores) {
            if (other.equals(core)) {
                return kindLabel(core.kind()) + " " + index;
            }
            if (other.kind() == core.kind()) {
                index++;
            }
        }
        throw new IllegalArgumentException("core " + core + " is not part of this topology");
    }

    /** "P-core"/"E-core" where the machine has E-cores, else "core". */
    String kindLabel(CoreKind kind) {
        boolean hasEfficiencyCores = cores.stream().anyMatch(core -> core.kind() == CoreKind.EFFICIENCY);
        return hasEfficiencyCores ? kind.label() : "core";
    }

    /** A readable summary for `braid check`: cores, siblings, kinds, allowed and isolated CPUs, notes. */
    public String describe() {
        List<String> lines = new ArrayList<>();
        long performance = cores.stream().filter(core -> core.kind() == CoreKind.PERFORMANCE).count();
        long efficiency = cores.size() - performance;
        boolean smt = cores.stream().anyMatch(core -> core.logicalCpus().size() > 1);
        String kinds = efficiency == 0 ? "" : ": " + performance + " P-core" + plural(performance) + ", "
                + efficiency + " E-core" + plural(efficiency);
        lines.add("CPUs online: " + listOrNone(onlineCpus()) + " (" + onlineCpus().size() + " logical, "
                + cores.size() + " physical core" + plural(cores.size()) + kinds
                + (smt ? ", SMT" : ", no SMT") + (isHybrid() ? ", hybrid" : "") + ")");
        for (PhysicalCore core : cores) {
            StringBuilder line = new StringBuilder("  ").append(labelOf(core)).append(": cpu")
                    .append(core.logicalCpus().size() > 1 ? "s " : " ").append(CpuList.format(core.logicalCpus()))
                    .append("  (package ").append(core.packageId());
            if (core.dieId() != 0) {
                line.append(", die ").append(core.dieId());
            }
            line.append(", core_id ").append(core.coreId());
            if (core.clusterId() >= 0) {
                line.append(", cluster ").append(core.clusterId());
            }
            line.append(')');
            lines.add(line.toString());
        }
        lines.add("allowed CPUs: " + listOrNone(allowedCpus) + "; isolated CPUs: " + listOrNone(isolatedCpus));
        lines.add("usable for workers: " + listOrNone(usableCpus())
                + (ignoredIsolatedCpus().isEmpty() ? ""
                : " (isolated " + CpuList.format(ignoredIsolatedCpus()) + " left out: outside the allowed set)"));
        notes.forEach(note -> lines.add("note: " + note));
        return String.join("\n", lines);
    }

    static String listOrNone(Collection<Integer> cpus) {
        return cpus.isEmpty() ? "none" : CpuList.format(cpus);
    }

    private static String plural(long count) {
        return count == 1 ? "" : "s";
    }

    private static Set<Integer> sortedCopy(Set<Integer> cpus) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(cpus));
    }
}
