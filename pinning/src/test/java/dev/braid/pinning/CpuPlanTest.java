package dev.braid.pinning;

import dev.braid.pinning.CpuPlan.CpuPlanException;
import dev.braid.pinning.CpuTopology.CoreKind;
import dev.braid.pinning.CpuTopology.PhysicalCore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

import static dev.braid.pinning.SysfsTrees.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuPlanTest {

    private static boolean anyNoteContains(CpuPlan plan, String text) {
        return plan.notes().stream().anyMatch(note -> note.contains(text));
    }

    // --- Celeron N5105: 4 cores, no SMT

    @Test
    void celeronAutoIsFourAndLeavesNoHousekeepingCpu() {
        CpuTopology topology = read("celeron-n5105");
        assertEquals(4, CpuPlan.autoWorkerCount(topology));
        CpuPlan plan = CpuPlan.plan(topology, 4, false);
        assertEquals(List.of(0, 1, 2, 3), plan.workerCpus());
        assertEquals(OptionalInt.empty(), plan.housekeepingCpu());
        assertTrue(anyNoteContains(plan, "no spare CPU for housekeeping"), plan.notes().toString());
        String text = plan.describe(topology);
        assertTrue(text.contains("worker 3 → cpu 3 (core 3)"), "no P/E labels without E-cores: " + text);
        assertTrue(text.contains("housekeeping → none"), text);
    }

    @Test
    void celeronWithThreeWorkersKeepsTheLastCoreForHousekeeping() {
        CpuPlan plan = CpuPlan.plan(read("celeron-n5105"), 3, false);
        assertEquals(List.of(0, 1, 2), plan.workerCpus());
        assertEquals(OptionalInt.of(3), plan.housekeepingCpu());
        assertEquals(List.of(), plan.notes());
    }

    @Test
    void celeronRefusesFiveWorkersWithAnActionableMessage() {
        CpuPlanException error = assertThrows(CpuPlanException.class,
                () -> CpuPlan.plan(read("celeron-n5105"), 5, false));
        String message = error.getMessage();
        assertTrue(message.contains("5 workers"), message);
        assertTrue(message.contains("can use 4 physical cores"), message);
        assertTrue(message.contains("4 cores (cpus 0-3)"), message);
        assertTrue(message.contains("at most 4 workers"), message);
        assertTrue(message.contains("oversubscription"), message);
        assertTrue(!message.contains("SMT sibling"), "no siblings to offer on this machine: " + message);
    }

    @Test
    void celeronOversubscribedSharesCpusRoundRobin() {
        CpuPlan plan = CpuPlan.plan(read("celeron-n5105"), 6, true);
        assertEquals(List.of(0, 1, 2, 3, 0, 1), plan.workerCpus());
        assertEquals(OptionalInt.empty(), plan.housekeepingCpu());
        assertTrue(anyNoteContains(plan, "workers 4-5 share a logical CPU"), plan.notes().toString());
    }

    // --- Core i9-13900H: 6 P-cores (SMT) + 8 E-cores

    @Test
    void raptorLakeAutoCountsOnlyPerformanceCores() {
        assertEquals(6, CpuPlan.autoWorkerCount(read("i9-13900h")));
    }

    @Test
    void raptorLakePutsWorkersOnFirstSiblingsAndHousekeepingOnAnEfficiencyCore() {
        CpuPlan plan = CpuPlan.plan(read("i9-13900h"), 6, false);
        assertEquals(List.of(0, 2, 4, 6, 8, 10), plan.workerCpus());
        assertEquals(OptionalInt.of(19), plan.housekeepingCpu());
        assertEquals(List.of(), plan.notes());
    }

    @Test
    void raptorLakeSpillsOntoEfficiencyCoresBeforeAnySmtSibling() {
        CpuPlan plan = CpuPlan.plan(read("i9-13900h"), 10, false);
        assertEquals(List.of(0, 2, 4, 6, 8, 10, 12, 13, 14, 15), plan.workerCpus());
        // the second E-core cluster (16-19) has no worker: housekeeping goes there
        assertEquals(OptionalInt.of(19), plan.housekeepingCpu());
        assertTrue(anyNoteContains(plan, "workers 6-9 run on E-cores"), plan.notes().toString());
    }

    @Test
    void raptorLakeHousekeepingPrefersAnEfficiencyCoreInAClusterWithoutWorkers() {
        CpuPlan plan = CpuPlan.plan(read("i9-13900h"), 13, false);
        assertEquals(List.of(0, 2, 4, 6, 8, 10, 12, 13, 14, 15, 16, 17, 18), plan.workerCpus());
        assertEquals(OptionalInt.of(19), plan.housekeepingCpu());
    }

    @Test
    void housekeepingAvoidsAnEfficiencyCoreWhoseClusterHasWorkersEvenIfItIsTheHighest(@TempDir Path temp) {
        Path root = SysfsTrees.copy("i9-13900h", temp);
        SysfsTrees.write(root, "sys/devices/system/cpu/cpu19/topology/cluster_id", "6\n");
        CpuPlan plan = CpuPlan.plan(CpuTopology.read(root), 10, false);
        assertEquals(List.of(0, 2, 4, 6, 8, 10, 12, 13, 14, 15), plan.workerCpus());
        assertEquals(OptionalInt.of(18), plan.housekeepingCpu());
    }

    @Test
    void raptorLakeWithEveryCoreBusyUsesASiblingForHousekeepingAndSaysSo() {
        CpuPlan plan = CpuPlan.plan(read("i9-13900h"), 14, false);
        assertEquals(List.of(0, 2, 4, 6, 8, 10, 12, 13, 14, 15, 16, 17, 18, 19), plan.workerCpus());
        assertEquals(OptionalInt.of(11), plan.housekeepingCpu());
        assertTrue(anyNoteContains(plan, "housekeeping cpu 11 is the SMT sibling of worker 5's cpu 10"),
                plan.notes().toString());
    }

    @Test
    void raptorLakeRefusalOffersTheSiblings() {
        CpuPlanException error = assertThrows(CpuPlanException.class, () -> CpuPlan.plan(read("i9-13900h"), 16, false));
        String message = error.getMessage();
        assertTrue(message.contains("can use 14 physical cores: 6 P-cores (cpus 0,2,4,6,8,10) and 8 E-cores (cpus 12-19)"),
                message);
        assertTrue(message.contains("the 6 unused SMT siblings"), message);
    }

    @Test
    void raptorLakeOversubscribedUsesSiblingsBeforeSharingCpus() {
        CpuPlan plan = CpuPlan.plan(read("i9-13900h"), 22, true);
        assertEquals(List.of(0, 2, 4, 6, 8, 10, 12, 13, 14, 15, 16, 17, 18, 19, 1, 3, 5, 7, 9, 11, 0, 2),
                plan.workerCpus());
        assertEquals(OptionalInt.empty(), plan.housekeepingCpu());
        assertTrue(anyNoteContains(plan, "workers 14-19 run on SMT siblings (cpus 1,3,5,7,9,11)"), plan.notes().toString());
        assertTrue(anyNoteContains(plan, "workers 20-21 share a logical CPU"), plan.notes().toString());
    }

    @Test
    void describeSaysWhereEachWorkerAndHousekeepingRun() {
        CpuTopology topology = read("i9-13900h");
        String text = CpuPlan.plan(topology, 15, true).describe(topology);
        assertTrue(text.contains("worker 0 → cpu 0 (P-core 0)"), text);
        assertTrue(text.contains("worker 1 → cpu 2 (P-core 1)"), text);
        assertTrue(text.contains("worker 6 → cpu 12 (E-core 0)"), text);
        assertTrue(text.contains("worker 14 → cpu 1 (P-core 0, SMT sibling of worker 0's cpu 0)"), text);
        assertTrue(text.contains("housekeeping → cpu 11 (P-core 5, SMT sibling of worker 5's cpu 10)"), text);
        assertTrue(text.contains("note: oversubscribed"), text);
    }

    // --- the same machine in a container narrowed to 5-9,16-17

    @Test
    void containerUsesTheAllowedSiblingWhenTheFirstIsNotAllowed() {
        CpuTopology topology = read("i9-13900h-container");
        assertEquals(3, CpuPlan.autoWorkerCount(topology));
        CpuPlan plan = CpuPlan.plan(topology, 3, false);
        assertEquals(List.of(5, 6, 8), plan.workerCpus());
        assertEquals(OptionalInt.of(17), plan.housekeepingCpu());
    }

    @Test
    void containerRefusalNamesTheUsableCores() {
        CpuPlanException error = assertThrows(CpuPlanException.class,
                () -> CpuPlan.plan(read("i9-13900h-container"), 6, false));
        String message = error.getMessage();
        assertTrue(message.contains("can use 5 physical cores: 3 P-cores (cpus 5-6,8) and 2 E-cores (cpus 16-17)"), message);
        assertTrue(message.contains("allowed CPUs 5-9,16-17"), message);
        assertTrue(message.contains("the 2 unused SMT siblings"), message);
    }

    @Test
    void containerWithFiveWorkersHasOnlyASiblingLeftForHousekeeping() {
        CpuPlan plan = CpuPlan.plan(read("i9-13900h-container"), 5, false);
        assertEquals(List.of(5, 6, 8, 16, 17), plan.workerCpus());
        assertEquals(OptionalInt.of(9), plan.housekeepingCpu());
    }

    @Test
    void containerConfinedToEfficiencyCoresGetsOneWorkerPerEfficiencyCore() {
        CpuTopology full = read("i9-13900h");
        CpuTopology efficiencyOnly = new CpuTopology(full.cores(), Set.of(12, 13, 14, 15), Set.of());
        assertEquals(4, CpuPlan.autoWorkerCount(efficiencyOnly));
        CpuPlan plan = CpuPlan.plan(efficiencyOnly, 3, false);
        assertEquals(List.of(12, 13, 14), plan.workerCpus());
        assertEquals(OptionalInt.of(15), plan.housekeepingCpu());
    }

    // --- 2-vCPU VM

    @Test
    void vmAutoIsTwoWithoutHousekeeping() {
        CpuTopology topology = read("vm-2vcpu");
        assertEquals(2, CpuPlan.autoWorkerCount(topology));
        CpuPlan plan = CpuPlan.plan(topology, 2, false);
        assertEquals(List.of(0, 1), plan.workerCpus());
        assertEquals(OptionalInt.empty(), plan.housekeepingCpu());
        CpuPlan one = CpuPlan.plan(topology, 1, false);
        assertEquals(List.of(0), one.workerCpus());
        assertEquals(OptionalInt.of(1), one.housekeepingCpu());
    }

    // --- isolcpus

    @Test
    void isolcpusAutoCountsTheIsolatedCoresAndKeepsTheRestForTheSystem() {
        CpuTopology topology = read("n305-isolcpus");
        assertEquals(6, CpuPlan.autoWorkerCount(topology));
        CpuPlan plan = CpuPlan.plan(topology, 6, false);
        assertEquals(List.of(2, 3, 4, 5, 6, 7), plan.workerCpus());
        assertEquals(OptionalInt.of(1), plan.housekeepingCpu());
        assertTrue(anyNoteContains(plan, "workers 0-5 run on isolated CPUs"), plan.notes().toString());
    }

    @Test
    void isolcpusPlacesExtraWorkersOnTheNonIsolatedCoresAfterwards() {
        CpuPlan plan = CpuPlan.plan(read("n305-isolcpus"), 7, false);
        assertEquals(List.of(2, 3, 4, 5, 6, 7, 0), plan.workerCpus());
        assertEquals(OptionalInt.of(1), plan.housekeepingCpu());
    }

    @Test
    void isolcpusUnderANarrowedMaskUsesOnlyIsolatedCpusInsideIt() {
        CpuTopology topology = read("n305-isolcpus-narrowed");
        assertEquals(2, CpuPlan.autoWorkerCount(topology));
        CpuPlan plan = CpuPlan.plan(topology, 2, false);
        assertEquals(List.of(2, 3), plan.workerCpus());
        assertEquals(OptionalInt.of(1), plan.housekeepingCpu());
        assertTrue(anyNoteContains(plan, "isolated CPUs 4-7 are not used"), plan.notes().toString());
    }

    @Test
    void isolatedHousekeepingIsOnlyALastResort() {
        CpuTopology topology = read("n305-isolcpus");
        CpuPlan plan = CpuPlan.plan(topology, 8, false);
        assertEquals(List.of(2, 3, 4, 5, 6, 7, 0, 1), plan.workerCpus());
        assertEquals(OptionalInt.empty(), plan.housekeepingCpu());
        CpuTopology mostlyIsolated = new CpuTopology(topology.cores(), Set.of(0), Set.of(1, 2, 3, 4, 5, 6, 7));
        CpuPlan sevenOfEight = CpuPlan.plan(mostlyIsolated, 7, false);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), sevenOfEight.workerCpus());
        assertEquals(OptionalInt.of(0), sevenOfEight.housekeepingCpu());
        CpuPlan six = CpuPlan.plan(mostlyIsolated, 6, false);
        assertEquals(OptionalInt.of(0), six.housekeepingCpu(), "a non-isolated spare beats an isolated one");
    }

    // --- offline CPUs, "0,4" and "0,6" siblings

    @Test
    void offlineCpusAreNeverPlanned() {
        CpuTopology topology = read("tigerlake-offline");
        assertEquals(3, CpuPlan.autoWorkerCount(topology));
        CpuPlan plan = CpuPlan.plan(topology, 3, false);
        assertEquals(List.of(0, 1, 2), plan.workerCpus());
        assertEquals(OptionalInt.of(6), plan.housekeepingCpu());
        CpuPlan oversubscribed = CpuPlan.plan(topology, 6, true);
        assertEquals(List.of(0, 1, 2, 4, 6, 0), oversubscribed.workerCpus());
        assertThrows(CpuPlanException.class, () -> CpuPlan.plan(topology, 4, false));
    }

    @Test
    void commaSiblingsGetOneWorkerPerCoreAndTheSpareCoreForHousekeeping() {
        CpuTopology topology = read("i5-10500t");
        assertEquals(6, CpuPlan.autoWorkerCount(topology));
        CpuPlan four = CpuPlan.plan(topology, 4, false);
        assertEquals(List.of(0, 1, 2, 3), four.workerCpus());
        assertEquals(OptionalInt.of(11), four.housekeepingCpu(), "a whole spare core beats a worker's sibling");
        assertEquals(List.of(), four.notes());
        CpuPlan six = CpuPlan.plan(topology, 6, false);
        assertEquals(List.of(0, 1, 2, 3, 4, 5), six.workerCpus());
        assertEquals(OptionalInt.of(11), six.housekeepingCpu());
        assertTrue(anyNoteContains(six, "SMT sibling of worker 5's cpu 5"), six.notes().toString());
    }

    // --- arguments and hand-built topologies

    @Test
    void zeroWorkersIsRefused() {
        assertThrows(CpuPlanException.class, () -> CpuPlan.plan(read("vm-2vcpu"), 0, true));
    }

    @Test
    void noUsableCpuIsRefusedWithTheSetsInTheMessage() {
        CpuTopology topology = new CpuTopology(List.of(new PhysicalCore(0, 0, CoreKind.PERFORMANCE, List.of(0))),
                Set.of(), Set.of());
        CpuPlanException error = assertThrows(CpuPlanException.class, () -> CpuPlan.plan(topology, 1, true));
        assertTrue(error.getMessage().contains("allowed CPUs none"), error.getMessage());
        assertEquals(1, CpuPlan.autoWorkerCount(topology));
    }

    @Test
    void plansAreDeterministic() {
        CpuTopology topology = read("i9-13900h");
        assertEquals(CpuPlan.plan(topology, 17, true), CpuPlan.plan(read("i9-13900h"), 17, true));
    }
}
