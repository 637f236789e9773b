package dev.braid.instance.worker;

import com.sun.jna.Native;

/**
 * The worker's parent pid, by getppid(2) through JNA's direct mapping: one system call and no
 * allocation. The loop asks on every tick whether its supervisor is still there; the JDK's
 * {@code ProcessHandle.current().parent()} answers that by also opening and parsing
 * /proc/PARENT/stat, which made up most of an idle worker's tick (seven system calls, 100 times a
 * second, per worker). When the supervisor dies the kernel re-parents the worker, so a changed
 * parent pid is the signal.
 */
final class ParentProcess {
    static {
        Native.register("c");
    }

    private ParentProcess() {
    }

    static native int getppid();
}
