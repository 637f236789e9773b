package dev.braid.gateway.plan;

import dev.braid.pinning.CpuPlan;
import dev.braid.pinning.CpuTopology;

/**
 * The two decisions the site planner leaves to the pinning module, behind an interface so that
 * tests (and machines whose topology cannot be read) can supply their own.
 */
public interface CpuPlanner {
    /** {@code workers: auto}: how many workers this topology supports. */
    int autoWorkerCount(CpuTopology topology);

    /** @throws CpuPlan.CpuPlanException when the plan cannot be made (message for the user) */
    CpuPlan plan(CpuTopology topology, int workers, boolean allowOversubscription);

    /** The pinning module's planner: {@link CpuPlan#autoWorkerCount} and {@link CpuPlan#plan}. */
    static CpuPlanner standard() {
        return new CpuPlanner() {
            @Override
            public int autoWorkerCount(CpuTopology topology) {
                return CpuPlan.autoWorkerCount(topology);
            }

            @Override
            public CpuPlan plan(CpuTopology topology, int workers, boolean allowOversubscription) {
                return CpuPlan.plan(topology, workers, allowOversubscription);
            }
        };
    }
}
