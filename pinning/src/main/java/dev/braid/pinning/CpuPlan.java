package dev.braid.pinning;

import java.util.List;
import java.util.OptionalInt;

/**
 * Which logical CPU each worker is pinned to, and which CPU (if the machine has one to spare) runs
 * the supervisor and the JVM helper threads of every process. Workers go on performance cores
 * first, one logical CPU per physical core.
 *
 * <p>API agreed between modules; the planning is implemented in this class.
 *
 * @param workerCpus      the logical CPU of worker i at index i
 * @param housekeepingCpu the CPU for the supervisor and JVM helper threads, if one is spare
 * @param notes           human-readable remarks for `braid check` (oversubscription, SMT used, ...)
 */
public record CpuPlan(List<Integer> workerCpus, OptionalInt housekeepingCpu, List<String> notes) {

    /** `workers: auto`: the number of physical performance cores the process may use. */
    public static int autoWorkerCount(CpuTopology topology) {
        throw new UnsupportedOperationException("implemented by the pinning work");
    }

    /**
     * Plans {@code workers} workers. More workers than usable physical cores is refused with
     * {@link CpuPlanException} unless {@code allowOversubscription}, in which case CPUs are reused
     * round-robin and a note says so.
     */
    public static CpuPlan plan(CpuTopology topology, int workers, boolean allowOversubscription) {
        throw new UnsupportedOperationException("implemented by the pinning work");
    }

    /** The plan cannot be made; the message says why in terms a user can act on. */
    public static final class CpuPlanException extends RuntimeException {
        public CpuPlanException(String message) {
            super(message);
        }
    }
}
