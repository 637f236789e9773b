package dev.braid.pinning;

import java.util.Set;

/** Confines the whole calling process (all its threads) to a set of CPUs. */
public final class ProcessAffinity {
    private ProcessAffinity() {
    }

    /** @return the number of threads moved */
    public static int confineTo(Set<Integer> cpus) {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("no CPU to confine the process to");
        }
        return LinuxAffinity.confineProcess(cpus);
    }
}
