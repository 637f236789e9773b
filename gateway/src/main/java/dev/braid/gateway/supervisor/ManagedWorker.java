package dev.braid.gateway.supervisor;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.braid.gateway.plan.WorkerPlan;
import dev.braid.instance.counters.Counter;
import dev.braid.instance.counters.CountersFile;

/**
 * One worker process as the supervisor keeps it: started with its plan's command line, its
 * counters file mapped once the worker has written it, restarted with backoff when it exits.
 * Touched only from the supervisor's thread.
 */
final class ManagedWorker {
    enum State { STARTING, RUNNING, BACKOFF, STOPPED }

    final WorkerPlan plan;
    final Path countersPath;
    private final List<String> command;
    private final RestartBackoff backoff;

    private Process process;
    private CountersFile counters;
    private State state = State.STOPPED;
    private long startedNanos;
    private long restarts;
    private int lastExitCode;
    private long restartAtNanos;
    private PathHealth.State pathState = PathHealth.State.PENDING;
    private long pathChangedNanos;

    ManagedWorker(WorkerPlan plan, Path countersPath, List<String> command, long backoffCapNanos) {
        this.plan = plan;
        this.countersPath = countersPath;
        this.command = List.copyOf(command);
        this.backoff = new RestartBackoff(backoffCapNanos);
    }

    /** Starts the process; its output goes where the supervisor's goes (journald under systemd). */
    Process start(long nowNanos) throws IOException {
        closeCounters();
        Files.deleteIfExists(countersPath);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        process = pb.start();
        startedNanos = nowNanos;
        state = State.STARTING;
        return process;
    }

    /** Maps the counters file once the new worker has written its header; true when mapped. */
    boolean openCountersIfReady() {
        if (counters != null) {
            return true;
        }
        if (process == null || !Files.exists(countersPath)) {
            return false;
        }
        try {
            CountersFile file = CountersFile.open(countersPath);
            if (file.pid() != process.pid() || file.get(Counter.LISTEN_PORT) == 0) {
                file.close(); // still the old file, or the worker is not bound yet
                return false;
            }
            counters = file;
            state = State.RUNNING;
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Records an exit; returns the delay before the restart. */
    long exited(int exitCode, long nowNanos) {
        lastExitCode = exitCode;
        closeCounters();
        process = null;
        state = State.BACKOFF;
        long delay = backoff.onExit(nowNanos, nowNanos - startedNanos);
        restartAtNanos = nowNanos + delay;
        return delay;
    }

    void restarted() {
        restarts++;
    }

    boolean isCrashLooping(long nowNanos) {
        return backoff.isCrashLooping(nowNanos);
    }

    /** Asks the process to stop (SIGTERM), then kills it if it has not gone within the grace time. */
    void stop(long graceMillis) {
        state = State.STOPPED;
        Process p = process;
        if (p != null) {
            p.destroy();
            try {
                if (!p.waitFor(graceMillis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(2, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        closeCounters();
    }

    private void closeCounters() {
        if (counters != null) {
            counters.close();
            counters = null;
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    CountersFile counters() {
        return counters;
    }

    State state() {
        return state;
    }

    long restarts() {
        return restarts;
    }

    int lastExitCode() {
        return lastExitCode;
    }

    long restartAtNanos() {
        return restartAtNanos;
    }

    long startedNanos() {
        return startedNanos;
    }

    PathHealth.State pathState() {
        return pathState;
    }

    long pathChangedNanos() {
        return pathChangedNanos;
    }

    void setPathState(PathHealth.State s, long nowNanos) {
        pathState = s;
        pathChangedNanos = nowNanos;
    }
}
