package dev.braid.pinning;

import dev.braid.pinning.CpuTopology.PhysicalCore;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Which logical CPU each worker is pinned to, and which CPU (if the machine has one to spare) runs
 * the supervisor and the JVM helper threads of every process. Workers go on performance cores
 * first, one logical CPU per physical core.
 *
 * <p>Data flow: {@link CpuPlanner} turns the topology's usable CPUs into one slot per physical
 * core (P-cores, then E-cores; isolated cores first within a kind; then by CPU number), gives
 * worker i the i-th slot's CPU, and with oversubscription allowed continues on unused SMT siblings
 * and then round-robin. The housekeeping CPU is then picked from what is left. Every compromise
 * lands in {@link #notes()}, which `braid check` prints through {@link #describe(CpuTopology)}.
 *
 * @param workerCpus      the logical CPU of worker i at index i
 * @param housekeepingCpu the CPU for the supervisor and JVM helper threads, if one is spare
 * @param notes           human-readable remarks for `braid check` (oversubscription, SMT used, ...)
 */
public record CpuPlan(List<Integer> workerCpus, OptionalInt housekeepingCpu, List<String> notes) {

    public CpuPlan {
        workerCpus = List.copyOf(workerCpus);
        notes = List.copyOf(notes);
    }

    /**
     * `workers: auto`: the number of physical performance cores the process may use. Where the
     * machine isolates P-cores (isolcpus=), only those count: the rest are left to the system.
     * A process confined to E-cores gets one worker per E-core. Never less than 1.
     */
    public static int autoWorkerCount(CpuTopology topology) {
        return CpuPlanner.autoWorkerCount(topology);
    }

    /**
     * Plans {@code workers} workers. More workers than usable physical cores is refused with
     * {@link CpuPlanException} unless {@code allowOversubscription}, in which case CPUs are reused
     * (unused SMT siblings first, then round-robin) and a note says so.
     */
    public static CpuPlan plan(CpuTopology topology, int workers, boolean allowOversubscription) {
        return CpuPlanner.plan(topology, workers, allowOversubscription);
    }

    /**
     * A readable account for `braid check`, one line each:
     * "worker 0 → cpu 2 (P-core 1)", "housekeeping → cpu 12 (E-core 0)", then the notes.
     */
    public String describe(CpuTopology topology) {
        List<String> lines = new ArrayList<>();
        for (int worker = 0; worker < workerCpus.size(); worker++) {
            int cpu = workerCpus.get(worker);
            lines.add("worker " + worker + " → cpu " + cpu + " (" + whereIs(topology, cpu, worker) + ")");
        }
        if (housekeepingCpu.isPresent()) {
            int cpu = housekeepingCpu.getAsInt();
            lines.add("housekeeping → cpu " + cpu + " (" + whereIs(topology, cpu, workerCpus.size()) + ")");
        } else {
            lines.add("housekeeping → none (supervisor and JVM helper threads share the worker CPUs)");
        }
        notes.forEach(note -> lines.add("note: " + note));
        return String.join("\n", lines);
    }

    /** "P-core 1", plus what this CPU shares with the workers before {@code upToWorker}. */
    private String whereIs(CpuTopology topology, int cpu, int upToWorker) {
        PhysicalCore core = topology.coreOf(cpu).orElse(null);
        if (core == null) {
            return "not online";
        }
        StringBuilder where = new StringBuilder(topology.labelOf(core));
        if (topology.isolatedCpus().contains(cpu)) {
            where.append(", isolated");
        }
        for (int earlier = 0; earlier < upToWorker; earlier++) {
            int earlierCpu = workerCpus.get(earlier);
            if (earlierCpu == cpu) {
                where.append(", shares the cpu with worker ").append(earlier);
                break;
            }
            if (core.logicalCpus().contains(earlierCpu)) {
                where.append(", SMT sibling of worker ").append(earlier).append("'s cpu ").append(earlierCpu);
                break;
            }
        }
        return where.toString();
    }

    /** The plan cannot be made; the message says why in terms a user can act on. */
    public static final class CpuPlanException extends RuntimeException {
        public CpuPlanException(String message) {
            super(message);
        }
    }
}
