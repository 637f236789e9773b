package dev.braid.pinning;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The CPUs this process may run workers on, as sysfs and procfs describe them: which logical CPUs
 * share a physical core (SMT siblings), which cores are performance (P) or efficiency (E) cores on
 * hybrid Intel parts, which CPUs the process may use (its affinity mask: containers and cgroups
 * narrow it) and which are isolated from the general scheduler (isolcpus=).
 *
 * <p>API agreed between modules; the reading is implemented in this class.
 */
public record CpuTopology(List<PhysicalCore> cores, Set<Integer> allowedCpus, Set<Integer> isolatedCpus) {

    /** What kind of core a physical core is. Non-hybrid machines report every core as PERFORMANCE. */
    public enum CoreKind { PERFORMANCE, EFFICIENCY }

    /**
     * One physical core: its logical CPUs (SMT siblings, ascending; the first is the one workers use).
     */
    public record PhysicalCore(int packageId, int coreId, CoreKind kind, List<Integer> logicalCpus) {
    }

    /** Reads the topology of the machine this JVM runs on. */
    public static CpuTopology readLocal() {
        throw new UnsupportedOperationException("implemented by the pinning work");
    }

    /**
     * Reads from a recorded tree: {@code root} holds {@code sys/devices/system/cpu/...},
     * {@code sys/devices/cpu_core/cpus} etc. and {@code proc/self/status} (for Cpus_allowed_list).
     */
    public static CpuTopology read(Path root) {
        throw new UnsupportedOperationException("implemented by the pinning work");
    }
}
