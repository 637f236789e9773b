package dev.braid.pinning;

import dev.braid.pinning.CpuPlan.CpuPlanException;
import dev.braid.pinning.CpuTopology.CoreKind;
import dev.braid.pinning.CpuTopology.PhysicalCore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The planning behind {@link CpuPlan}: topology in, worker CPUs + housekeeping CPU + notes out.
 *
 * <p>Each physical core with a usable CPU becomes a {@link CoreSlot}; its worker CPU is its first
 * usable isolated CPU if it has one, else its first usable CPU (the first sibling unless a cpuset
 * excludes it). Slots are ordered P before E (E-cores are slower per worker), isolated before not
 * (the user reserved those for exactly this), then by CPU number, so the same machine always gets
 * the same plan. The housekeeping CPU is chosen from usable CPUs no worker uses: a spare E-core,
 * else a spare P-core, else an SMT sibling of a worker CPU, else none.
 */
final class CpuPlanner {

    private CpuPlanner() {
    }

    /** One physical core workers may use. */
    private record CoreSlot(PhysicalCore core, int workerCpu, boolean isolated, List<Integer> otherUsableCpus) {
        boolean efficiency() {
            return core.kind() == CoreKind.EFFICIENCY;
        }
    }

    private static final Comparator<CoreSlot> SLOT_ORDER = Comparator
            .comparing(CoreSlot::efficiency)
            .thenComparing(slot -> !slot.isolated())
            .thenComparingInt(CoreSlot::workerCpu);

    static int autoWorkerCount(CpuTopology topology) {
        List<CoreSlot> slots = slots(topology);
        long isolatedPerformance = slots.stream().filter(slot -> !slot.efficiency() && slot.isolated()).count();
        if (isolatedPerformance > 0) {
            return (int) isolatedPerformance;
        }
        long performance = slots.stream().filter(slot -> !slot.efficiency()).count();
        if (performance > 0) {
            return (int) performance;
        }
        return Math.max(1, slots.size());
    }

    static CpuPlan plan(CpuTopology topology, int workers, boolean allowOversubscription) {
        if (workers < 1) {
            throw new CpuPlanException("workers must be at least 1 (asked for " + workers + ")");
        }
        List<CoreSlot> slots = slots(topology);
        if (slots.isEmpty()) {
            throw new CpuPlanException("no CPU is usable by this process: online CPUs "
                    + CpuTopology.listOrNone(topology.onlineCpus()) + ", allowed CPUs "
                    + CpuTopology.listOrNone(topology.allowedCpus()) + "; check the container's cpuset or taskset");
        }
        if (workers > slots.size() && !allowOversubscription) {
            throw new CpuPlanException(refusal(topology, slots, workers));
        }
        List<String> notes = new ArrayList<>();
        List<Integer> workerCpus = workerCpus(slots, workers, notes);
        noteKindsAndIsolation(topology, workerCpus, notes);
        OptionalInt housekeeping = housekeepingCpu(topology, workerCpus, notes);
        return new CpuPlan(workerCpus, housekeeping, notes);
    }

    private static List<CoreSlot> slots(CpuTopology topology) {
        SortedSet<Integer> usable = topology.usableCpus();
        List<CoreSlot> slots = new ArrayList<>();
        for (PhysicalCore core : topology.cores()) {
            List<Integer> usableOfCore = core.logicalCpus().stream().filter(usable::contains).toList();
            if (usableOfCore.isEmpty()) {
                continue;
            }
            int workerCpu = usableOfCore.stream().filter(topology.isolatedCpus()::contains).findFirst()
                    .orElse(usableOfCore.getFirst());
            List<Integer> others = usableOfCore.stream().filter(cpu -> cpu != workerCpu).toList();
            slots.add(new CoreSlot(core, workerCpu, topology.isolatedCpus().contains(workerCpu), others));
        }
        slots.sort(SLOT_ORDER);
        return slots;
    }

    private static List<Integer> workerCpus(List<CoreSlot> slots, int workers, List<String> notes) {
        List<Integer> cpus = new ArrayList<>();
        for (CoreSlot slot : slots) {
            if (cpus.size() == workers) {
                return cpus;
            }
            cpus.add(slot.workerCpu());
        }
        int firstOnSibling = cpus.size();
        for (CoreSlot slot : slots) {
            for (int sibling : slot.otherUsableCpus()) {
                if (cpus.size() < workers) {
                    cpus.add(sibling);
                }
            }
        }
        if (cpus.size() > firstOnSibling) {
            notes.add("oversubscribed: " + workerRange(firstOnSibling, cpus.size()) + " run on SMT siblings (cpu"
                    + plural(cpus.size() - firstOnSibling) + " " + CpuList.format(cpus.subList(firstOnSibling, cpus.size()))
                    + ") of cores other workers already use: two workers share each such core");
        }
        int distinct = cpus.size();
        for (int next = 0; cpus.size() < workers; next++) {
            cpus.add(cpus.get(next % distinct));
        }
        if (cpus.size() > distinct) {
            notes.add("oversubscribed: " + workerRange(distinct, cpus.size()) + " share a logical CPU with another"
                    + " worker (round-robin over cpus " + CpuList.format(cpus.subList(distinct, cpus.size()))
                    + "): each gets a fraction of a CPU");
        }
        return cpus;
    }

    private static void noteKindsAndIsolation(CpuTopology topology, List<Integer> workerCpus, List<String> notes) {
        List<Integer> onEfficiency = new ArrayList<>();
        List<Integer> onIsolated = new ArrayList<>();
        for (int worker = 0; worker < workerCpus.size(); worker++) {
            int cpu = workerCpus.get(worker);
            if (topology.coreOf(cpu).map(core -> core.kind() == CoreKind.EFFICIENCY).orElse(false)) {
                onEfficiency.add(worker);
            }
            if (topology.isolatedCpus().contains(cpu)) {
                onIsolated.add(worker);
            }
        }
        if (!onEfficiency.isEmpty() && topology.isHybrid()) {
            notes.add(workersLabel(onEfficiency) + " run on E-cores: expect less throughput from each than from a P-core");
        }
        if (!onIsolated.isEmpty()) {
            notes.add(workersLabel(onIsolated) + " run on isolated CPUs (isolcpus=), reserved for them");
        }
        if (!topology.ignoredIsolatedCpus().isEmpty()) {
            notes.add("isolated CPUs " + CpuList.format(topology.ignoredIsolatedCpus())
                    + " are not used: this process is confined to cpus " + CpuTopology.listOrNone(topology.allowedCpus())
                    + " (container cpuset or taskset); include them there to put workers on them");
        }
    }

    /** Tier of a housekeeping candidate: lower is better. */
    private enum HousekeepingTier { SPARE_E_CORE, SPARE_P_CORE, WORKER_SIBLING }

    private static OptionalInt housekeepingCpu(CpuTopology topology, List<Integer> workerCpus, List<String> notes) {
        Set<Integer> used = new TreeSet<>(workerCpus);
        Set<List<Integer>> workerClusters = workerCpus.stream()
                .map(cpu -> topology.coreOf(cpu).orElseThrow())
                .filter(core -> core.clusterId() >= 0)
                .map(CpuPlanner::clusterKey)
                .collect(Collectors.toSet());
        record Candidate(int cpu, HousekeepingTier tier, boolean isolated, boolean clusterHasWorker) {
        }
        List<Candidate> candidates = new ArrayList<>();
        for (int cpu : topology.usableCpus()) {
            if (used.contains(cpu)) {
                continue;
            }
            PhysicalCore core = topology.coreOf(cpu).orElseThrow();
            boolean coreHasWorker = core.logicalCpus().stream().anyMatch(used::contains);
            HousekeepingTier tier = coreHasWorker ? HousekeepingTier.WORKER_SIBLING
                    : core.kind() == CoreKind.EFFICIENCY ? HousekeepingTier.SPARE_E_CORE : HousekeepingTier.SPARE_P_CORE;
            boolean clusterHasWorker = core.clusterId() >= 0 && workerClusters.contains(clusterKey(core));
            candidates.add(new Candidate(cpu, tier, topology.isolatedCpus().contains(cpu), clusterHasWorker));
        }
        // Away from the workers: fill order is from low CPU numbers, so the highest spare CPU is farthest.
        Candidate best = candidates.stream().min(Comparator.comparing(Candidate::tier)
                .thenComparing(Candidate::isolated)
                .thenComparing(Candidate::clusterHasWorker)
                .thenComparing(Comparator.comparingInt(Candidate::cpu).reversed())).orElse(null);
        if (best == null) {
            notes.add("no spare CPU for housekeeping: the supervisor and the JVM helper threads (GC, JIT) share the"
                    + " worker CPUs and will now and then delay a worker; with one worker fewer a CPU would be spare");
            return OptionalInt.empty();
        }
        if (best.tier() == HousekeepingTier.WORKER_SIBLING) {
            int worker = indexOfSibling(topology, workerCpus, best.cpu());
            notes.add("housekeeping cpu " + best.cpu() + " is the SMT sibling of worker " + worker + "'s cpu "
                    + workerCpus.get(worker) + ": the helper threads compete with that worker for its core");
        }
        if (best.isolated()) {
            notes.add("housekeeping cpu " + best.cpu() + " is isolated (isolcpus=): no other CPU was spare");
        }
        return OptionalInt.of(best.cpu());
    }

    private static List<Integer> clusterKey(PhysicalCore core) {
        return List.of(core.packageId(), core.dieId(), core.clusterId());
    }

    private static int indexOfSibling(CpuTopology topology, List<Integer> workerCpus, int cpu) {
        PhysicalCore core = topology.coreOf(cpu).orElseThrow();
        for (int worker = 0; worker < workerCpus.size(); worker++) {
            if (core.logicalCpus().contains(workerCpus.get(worker))) {
                return worker;
            }
        }
        throw new IllegalStateException("cpu " + cpu + " shares its core with no worker");
    }

    private static String refusal(CpuTopology topology, List<CoreSlot> slots, int workers) {
        List<Integer> performanceCpus = slots.stream().filter(slot -> !slot.efficiency()).map(CoreSlot::workerCpu).toList();
        List<Integer> efficiencyCpus = slots.stream().filter(CoreSlot::efficiency).map(CoreSlot::workerCpu).toList();
        int siblings = slots.stream().mapToInt(slot -> slot.otherUsableCpus().size()).sum();
        StringBuilder cores = new StringBuilder();
        if (!performanceCpus.isEmpty()) {
            cores.append(performanceCpus.size()).append(' ').append(topology.kindLabel(CoreKind.PERFORMANCE)).append(plural(performanceCpus.size()))
                    .append(" (cpu").append(plural(performanceCpus.size())).append(' ')
                    .append(CpuList.format(performanceCpus)).append(')');
        }
        if (!efficiencyCpus.isEmpty()) {
            if (!cores.isEmpty()) {
                cores.append(" and ");
            }
            cores.append(efficiencyCpus.size()).append(' ').append(topology.kindLabel(CoreKind.EFFICIENCY)).append(plural(efficiencyCpus.size()))
                    .append(" (cpu").append(plural(efficiencyCpus.size())).append(' ')
                    .append(CpuList.format(efficiencyCpus)).append(')');
        }
        return "cannot give " + workers + " workers a physical core each: this process can use " + slots.size()
                + " physical core" + plural(slots.size()) + ": " + cores
                + " (allowed CPUs " + CpuTopology.listOrNone(topology.allowedCpus()) + ", isolated CPUs "
                + CpuTopology.listOrNone(topology.isolatedCpus()) + "). Ask for at most " + slots.size()
                + " workers (or workers: auto), give the process more CPUs (container cpuset, taskset), or allow"
                + " oversubscription to run the extra workers on "
                + (siblings > 0 ? "the " + siblings + " unused SMT sibling" + plural(siblings) + " and then " : "")
                + "CPUs shared round-robin, each such worker getting only part of a core";
    }

    private static String workersLabel(List<Integer> workers) {
        return (workers.size() == 1 ? "worker " : "workers ") + CpuList.format(workers);
    }

    private static String workerRange(int fromInclusive, int toExclusive) {
        return toExclusive - fromInclusive == 1 ? "worker " + fromInclusive
                : "workers " + fromInclusive + "-" + (toExclusive - 1);
    }

    private static String plural(int count) {
        return count == 1 ? "" : "s";
    }
}
