package dev.braid.pinning;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The process's CPU affinity mask through {@code sched_getaffinity(2)}: the fallback for
 * {@link CpuTopology#readLocal()} when /proc/self/status gives no Cpus_allowed_list (no /proc).
 * Asks for the thread-group leader (getpid), so the answer is the process's mask like /proc's,
 * not that of a calling thread that may have pinned itself.
 */
final class LinuxAffinity {

    /** Mask sizes tried: the kernel answers EINVAL while the buffer is smaller than its cpumask. */
    private static final int FIRST_MASK_LONGS = 16;
    private static final int MAX_MASK_LONGS = 1024;

    private interface CLibrary extends Library {
        int getpid();

        /** cpu_set_t is an array of unsigned long; on 64-bit Linux that is Java's long. */
        int sched_getaffinity(int pid, NativeLong cpuSetSizeBytes, long[] mask) throws LastErrorException;

        int sched_setaffinity(int pid, NativeLong cpuSetSizeBytes, long[] mask) throws LastErrorException;
    }

    private LinuxAffinity() {
    }

    /** The allowed CPUs, or empty when the call is not available here (not Linux, no JNA native). */
    static Optional<SortedSet<Integer>> processAllowedCpus() {
        try {
            CLibrary libc = Native.load("c", CLibrary.class);
            int pid = libc.getpid();
            for (int longs = FIRST_MASK_LONGS; longs <= MAX_MASK_LONGS; longs *= 2) {
                long[] mask = new long[longs];
                try {
                    libc.sched_getaffinity(pid, new NativeLong((long) longs * Long.BYTES), mask);
                    return Optional.of(cpusOf(mask));
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != 22) { // EINVAL: mask too small, try a bigger one
                        return Optional.empty();
                    }
                }
            }
            return Optional.empty();
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Confines every thread of this process to {@code cpus} (threads started later inherit the
     * mask of the thread that starts them). Returns how many threads were moved; a thread that
     * exits meanwhile is skipped. Used by the supervisor to keep itself and its JVM helper threads
     * on the housekeeping CPU, off the workers' cores.
     */
    static int confineProcess(java.util.Set<Integer> cpus) {
        long[] mask = new long[FIRST_MASK_LONGS];
        for (int cpu : cpus) {
            mask[cpu / Long.SIZE] |= 1L << (cpu % Long.SIZE);
        }
        CLibrary libc = Native.load("c", CLibrary.class);
        int moved = 0;
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            throw new IllegalStateException("/proc/self/task is not readable: cannot set the process's CPU affinity");
        }
        for (java.io.File task : tasks) {
            try {
                libc.sched_setaffinity(Integer.parseInt(task.getName()), new NativeLong((long) mask.length * Long.BYTES), mask);
                moved++;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != 3) { // ESRCH: the thread ended meanwhile
                    throw new IllegalStateException("sched_setaffinity to CPUs " + cpus + " failed: errno " + e.getErrorCode());
                }
            } catch (NumberFormatException ignored) {
                // not a task directory
            }
        }
        return moved;
    }

    static SortedSet<Integer> cpusOf(long[] mask) {
        TreeSet<Integer> cpus = new TreeSet<>();
        for (int word = 0; word < mask.length; word++) {
            long bits = mask[word];
            while (bits != 0) {
                int bit = Long.numberOfTrailingZeros(bits);
                cpus.add(word * Long.SIZE + bit);
                bits &= bits - 1;
            }
        }
        return Collections.unmodifiableSortedSet(cpus);
    }
}
