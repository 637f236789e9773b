package dev.braid.pinning;

import dev.braid.pinning.CpuTopology.CoreKind;
import dev.braid.pinning.CpuTopology.CpuTopologyException;
import dev.braid.pinning.CpuTopology.PhysicalCore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static dev.braid.pinning.SysfsTrees.copy;
import static dev.braid.pinning.SysfsTrees.delete;
import static dev.braid.pinning.SysfsTrees.read;
import static dev.braid.pinning.SysfsTrees.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuTopologyReadTest {

    @TempDir
    Path temp;

    private static List<List<Integer>> siblingGroups(CpuTopology topology) {
        return topology.cores().stream().map(PhysicalCore::logicalCpus).toList();
    }

    private static List<CoreKind> kinds(CpuTopology topology) {
        return topology.cores().stream().map(PhysicalCore::kind).toList();
    }

    @Test
    void celeronHasFourSingleThreadPerformanceCores() {
        CpuTopology topology = read("celeron-n5105");
        assertEquals(List.of(List.of(0), List.of(1), List.of(2), List.of(3)), siblingGroups(topology));
        assertEquals(List.of(CoreKind.PERFORMANCE, CoreKind.PERFORMANCE, CoreKind.PERFORMANCE, CoreKind.PERFORMANCE),
                kinds(topology));
        assertEquals(Set.of(0, 1, 2, 3), topology.allowedCpus());
        assertTrue(topology.isolatedCpus().isEmpty());
        assertFalse(topology.isHybrid());
        assertEquals(List.of(), topology.notes());
        assertEquals(List.of(0, 1, 2, 3), topology.cores().stream().map(PhysicalCore::coreId).toList());
        assertTrue(topology.describe().contains("4 logical, 4 physical cores, no SMT)"), topology.describe());
    }

    @Test
    void raptorLakeHasSixSmtPerformanceCoresThenEightEfficiencyCores() {
        CpuTopology topology = read("i9-13900h");
        assertEquals(14, topology.cores().size());
        assertEquals(List.of(List.of(0, 1), List.of(2, 3), List.of(4, 5), List.of(6, 7), List.of(8, 9), List.of(10, 11),
                List.of(12), List.of(13), List.of(14), List.of(15), List.of(16), List.of(17), List.of(18), List.of(19)),
                siblingGroups(topology));
        assertEquals(6, topology.cores().stream().filter(core -> core.kind() == CoreKind.PERFORMANCE).count());
        assertTrue(topology.cores().subList(6, 14).stream().allMatch(core -> core.kind() == CoreKind.EFFICIENCY));
        assertTrue(topology.isHybrid());
        assertEquals(20, topology.onlineCpus().size());
        assertEquals(List.of(0, 4, 8, 12, 16, 20, 24, 25, 26, 27, 28, 29, 30, 31),
                topology.cores().stream().map(PhysicalCore::coreId).toList());
        assertEquals(List.of(6, 6, 6, 6, 7, 7, 7, 7),
                topology.cores().subList(6, 14).stream().map(PhysicalCore::clusterId).toList());
        assertEquals(List.of(), topology.notes());
    }

    @Test
    void containerNarrowsTheAllowedSetButNotTheCores() {
        CpuTopology topology = read("i9-13900h-container");
        assertEquals(14, topology.cores().size());
        assertEquals(Set.of(5, 6, 7, 8, 9, 16, 17), topology.allowedCpus());
        assertEquals(Set.of(5, 6, 7, 8, 9, 16, 17), topology.usableCpus());
    }

    @Test
    void vmHasTwoSingleThreadCores() {
        CpuTopology topology = read("vm-2vcpu");
        assertEquals(List.of(List.of(0), List.of(1)), siblingGroups(topology));
        assertEquals(Set.of(0, 1), topology.allowedCpus());
        assertEquals(List.of(0, 1), topology.cores().stream().map(PhysicalCore::clusterId).toList());
    }

    @Test
    void isolatedCpusOutsideTheIsolcpusMaskAreUsable() {
        CpuTopology topology = read("n305-isolcpus");
        assertEquals(Set.of(2, 3, 4, 5, 6, 7), topology.isolatedCpus());
        assertEquals(Set.of(0, 1), topology.allowedCpus());
        assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7), topology.usableCpus());
        assertTrue(topology.ignoredIsolatedCpus().isEmpty());
        assertFalse(topology.isHybrid());
    }

    @Test
    void isolatedCpusOutsideANarrowedMaskAreLeftAlone() {
        CpuTopology topology = read("n305-isolcpus-narrowed");
        assertEquals(Set.of(1, 2, 3), topology.usableCpus());
        assertEquals(Set.of(4, 5, 6, 7), topology.ignoredIsolatedCpus());
    }

    @Test
    void offlineCpusAreNotPartOfTheTopologyEvenWhenTheMaskNamesThem() {
        CpuTopology topology = read("tigerlake-offline");
        assertEquals(List.of(List.of(0, 4), List.of(1), List.of(2, 6)), siblingGroups(topology));
        assertEquals(Set.of(0, 1, 2, 4, 6), topology.onlineCpus());
        assertEquals(Set.of(0, 1, 2, 4, 6), topology.allowedCpus());
        assertEquals(List.of(), topology.notes());
    }

    @Test
    void siblingsListedWithACommaAreGroupedIntoOneCore() {
        CpuTopology topology = read("i5-10500t");
        assertEquals(List.of(List.of(0, 6), List.of(1, 7), List.of(2, 8), List.of(3, 9), List.of(4, 10), List.of(5, 11)),
                siblingGroups(topology));
    }

    @Test
    void oldKernelFilesAreEnoughWithANoteForTheMissingIsolatedList() {
        CpuTopology topology = read("old-kernel-4core");
        assertEquals(List.of(List.of(0), List.of(1), List.of(2), List.of(3)), siblingGroups(topology));
        assertTrue(topology.cores().stream().allMatch(core -> core.clusterId() == -1 && core.dieId() == 0));
        assertEquals(1, topology.notes().size(), topology.notes().toString());
        assertTrue(topology.notes().getFirst().contains("isolated missing"), topology.notes().toString());
    }

    @Test
    void siblingsAreMergedEvenWhenOnlyOneCpuNamesTheOther() {
        Path root = copy("celeron-n5105", temp);
        write(root, "sys/devices/system/cpu/cpu2/topology/core_cpus_list", "0,2\n");
        CpuTopology topology = CpuTopology.read(root);
        assertEquals(List.of(List.of(0, 2), List.of(1), List.of(3)), siblingGroups(topology));
    }

    @Test
    void missingSiblingListsMakeEachCpuItsOwnCoreWithOneNote() {
        Path root = copy("i5-10500t", temp);
        for (int cpu = 0; cpu < 12; cpu++) {
            delete(root, "sys/devices/system/cpu/cpu" + cpu + "/topology/core_cpus_list");
        }
        CpuTopology topology = CpuTopology.read(root);
        assertEquals(12, topology.cores().size());
        assertEquals(1, topology.notes().size(), topology.notes().toString());
        assertTrue(topology.notes().getFirst().contains("cpus 0-11"), topology.notes().getFirst());
    }

    @Test
    void missingOnlineListFallsBackToTheCpuDirectoriesAndTheirOnlineFiles() {
        Path root = copy("tigerlake-offline", temp);
        delete(root, "sys/devices/system/cpu/online");
        CpuTopology topology = CpuTopology.read(root);
        assertEquals(Set.of(0, 1, 2, 4, 6), topology.onlineCpus());
        assertTrue(topology.notes().stream().anyMatch(note -> note.contains("cpuN directories")), topology.notes().toString());
    }

    @Test
    void missingStatusMeansEveryOnlineCpuIsAllowed() {
        Path root = copy("celeron-n5105", temp);
        delete(root, "proc/self/status");
        CpuTopology topology = CpuTopology.read(root);
        assertEquals(Set.of(0, 1, 2, 3), topology.allowedCpus());
        assertTrue(topology.notes().stream().anyMatch(note -> note.contains("Cpus_allowed_list")), topology.notes().toString());
    }

    @Test
    void statusWithoutTheAllowedLineMeansEveryOnlineCpuIsAllowed() {
        Path root = copy("vm-2vcpu", temp);
        write(root, "proc/self/status", "Name:\tjava\nState:\tR (running)\n");
        assertEquals(Set.of(0, 1), CpuTopology.read(root).allowedCpus());
    }

    @Test
    void hybridListsMissingOneCpuTreatItAsAPerformanceCoreWithANote() {
        Path root = copy("i9-13900h", temp);
        write(root, "sys/devices/cpu_atom/cpus", "12-18\n");
        CpuTopology topology = CpuTopology.read(root);
        assertEquals(CoreKind.PERFORMANCE, topology.coreOf(19).orElseThrow().kind());
        assertEquals(CoreKind.EFFICIENCY, topology.coreOf(18).orElseThrow().kind());
        assertTrue(topology.notes().stream().anyMatch(note -> note.contains("cpu 19 in neither")), topology.notes().toString());
    }

    @Test
    void anEmptyTreeStillGivesOneCpuAndSaysWhy() {
        CpuTopology topology = CpuTopology.read(temp);
        assertEquals(Set.of(0), topology.onlineCpus());
        assertEquals(Set.of(0), topology.allowedCpus());
        assertTrue(topology.notes().size() >= 3, topology.notes().toString());
    }

    @Test
    void malformedOnlineListIsAnErrorNamingTheFile() {
        Path root = copy("celeron-n5105", temp);
        write(root, "sys/devices/system/cpu/online", "0-x\n");
        CpuTopologyException error = assertThrows(CpuTopologyException.class, () -> CpuTopology.read(root));
        assertTrue(error.getMessage().contains("sys/devices/system/cpu/online"), error.getMessage());
        assertTrue(error.getMessage().contains("0-x"), error.getMessage());
    }

    @Test
    void malformedCoreIdIsAnErrorNamingTheFile() {
        Path root = copy("celeron-n5105", temp);
        write(root, "sys/devices/system/cpu/cpu2/topology/core_id", "two\n");
        CpuTopologyException error = assertThrows(CpuTopologyException.class, () -> CpuTopology.read(root));
        assertTrue(error.getMessage().contains("cpu2/topology/core_id"), error.getMessage());
    }

    @Test
    void malformedAllowedListIsAnErrorNamingTheStatusFile() {
        Path root = copy("vm-2vcpu", temp);
        write(root, "proc/self/status", "Name:\tjava\nCpus_allowed_list:\t0-1,\n");
        CpuTopologyException error = assertThrows(CpuTopologyException.class, () -> CpuTopology.read(root));
        assertTrue(error.getMessage().contains("proc/self/status"), error.getMessage());
    }

    @Test
    void malformedHybridListIsAnErrorNamingTheFile() {
        Path root = copy("i9-13900h", temp);
        write(root, "sys/devices/cpu_core/cpus", "0-11;\n");
        CpuTopologyException error = assertThrows(CpuTopologyException.class, () -> CpuTopology.read(root));
        assertTrue(error.getMessage().contains("cpu_core/cpus"), error.getMessage());
    }

    @Test
    void describeNamesCoresKindsAndSets() {
        String text = read("i9-13900h").describe();
        assertTrue(text.contains("20 logical, 14 physical cores: 6 P-cores, 8 E-cores, SMT, hybrid"), text);
        assertTrue(text.contains("P-core 1: cpus 2-3"), text);
        assertTrue(text.contains("E-core 7: cpu 19"), text);
        assertTrue(text.contains("allowed CPUs: 0-19; isolated CPUs: none"), text);
    }

    @Test
    void handBuiltTopologiesUseTheAgreedConstructors() {
        CpuTopology topology = new CpuTopology(
                List.of(new PhysicalCore(0, 1, CoreKind.PERFORMANCE, List.of(3, 1)),
                        new PhysicalCore(0, 0, CoreKind.PERFORMANCE, List.of(0, 2))),
                Set.of(0, 1, 2, 3), Set.of());
        assertEquals(List.of(List.of(0, 2), List.of(1, 3)), siblingGroups(topology));
        assertThrows(IllegalArgumentException.class, () -> new CpuTopology(
                List.of(new PhysicalCore(0, 0, CoreKind.PERFORMANCE, List.of(0, 1)),
                        new PhysicalCore(0, 1, CoreKind.PERFORMANCE, List.of(1))), Set.of(0, 1), Set.of()));
    }
}
