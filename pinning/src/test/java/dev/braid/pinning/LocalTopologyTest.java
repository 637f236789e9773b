package dev.braid.pinning;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The live machine: whatever it is, the reader and the JNA fallback must agree with the kernel. */
class LocalTopologyTest {

    private interface CLibrary extends Library {
        int sched_getaffinity(int tid, NativeLong sizeBytes, long[] mask) throws LastErrorException;

        int sched_setaffinity(int tid, NativeLong sizeBytes, long[] mask) throws LastErrorException;
    }

    private static SortedSet<Integer> allowedFromProc() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return CpuList.parse(line.substring("Cpus_allowed_list:".length()));
            }
        }
        throw new IllegalStateException("no Cpus_allowed_list in /proc/self/status");
    }

    @Test
    void readLocalMatchesTheKernelsOwnLists() throws IOException {
        CpuTopology topology = CpuTopology.readLocal();
        SortedSet<Integer> online = CpuList.parse(Files.readString(Path.of("/sys/devices/system/cpu/online")));
        assertEquals(online, topology.onlineCpus());
        SortedSet<Integer> allowed = new TreeSet<>(allowedFromProc());
        allowed.retainAll(online);
        assertEquals(allowed, topology.allowedCpus());
        assertFalse(topology.cores().isEmpty());
        assertTrue(CpuPlan.autoWorkerCount(topology) >= 1);
    }

    @Test
    void schedGetaffinityFallbackAgreesWithProc() throws IOException {
        assertEquals(allowedFromProc(), LinuxAffinity.processAllowedCpus().orElseThrow());
    }

    @Test
    void aThreadThatPinnedItselfDoesNotShrinkTheProcessAnswer() throws IOException {
        SortedSet<Integer> allowed = allowedFromProc();
        assumeTrue(allowed.size() >= 2, "needs two allowed CPUs");
        CLibrary libc = Native.load("c", CLibrary.class);
        long[] saved = new long[16];
        NativeLong size = new NativeLong(saved.length * Long.BYTES);
        libc.sched_getaffinity(0, size, saved);
        long[] onlyFirst = new long[16];
        int first = allowed.first();
        onlyFirst[first / 64] = 1L << (first % 64);
        try {
            libc.sched_setaffinity(0, size, onlyFirst);
            long[] threadMask = new long[16];
            libc.sched_getaffinity(0, size, threadMask);
            assertEquals(Set.of(first), LinuxAffinity.cpusOf(threadMask), "this thread is pinned now");
            assertEquals(allowed, LinuxAffinity.processAllowedCpus().orElseThrow());
            assertEquals(allowed.size(), CpuTopology.readLocal().allowedCpus().size());
        } finally {
            libc.sched_setaffinity(0, size, saved);
        }
    }
}
