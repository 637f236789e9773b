package dev.braid.gateway.supervisor;

/**
 * When to restart a worker that exited: 1 s, 2 s, 4 s, … up to a cap; a worker that stayed up for a
 * while starts again from 1 s. A worker that exits {@link #CRASH_LOOP_EXITS} times within
 * {@link #CRASH_LOOP_WINDOW_NANOS} is crash-looping: it keeps being restarted at the cap (so a
 * transient cause clears by itself) and is reported, not hammered.
 */
final class RestartBackoff {
    static final long FIRST_DELAY_NANOS = 1_000_000_000L;
    static final long STABLE_AFTER_NANOS = 60_000_000_000L;
    static final int CRASH_LOOP_EXITS = 5;
    static final long CRASH_LOOP_WINDOW_NANOS = 300_000_000_000L;

    private final long capNanos;
    private long nextDelayNanos = FIRST_DELAY_NANOS;
    private final long[] recentExits = new long[CRASH_LOOP_EXITS];
    private int exits;

    RestartBackoff(long capNanos) {
        this.capNanos = Math.max(FIRST_DELAY_NANOS, capNanos);
    }

    /** Records an exit of a worker that had run for {@code upNanos}; returns the delay before restarting it. */
    long onExit(long nowNanos, long upNanos) {
        recentExits[exits % CRASH_LOOP_EXITS] = nowNanos;
        exits++;
        if (upNanos >= STABLE_AFTER_NANOS) {
            nextDelayNanos = FIRST_DELAY_NANOS;
        }
        long delay = isCrashLooping(nowNanos) ? capNanos : nextDelayNanos;
        nextDelayNanos = Math.min(capNanos, nextDelayNanos * 2);
        return delay;
    }

    /** True when the last CRASH_LOOP_EXITS exits all fell within the window. */
    boolean isCrashLooping(long nowNanos) {
        if (exits < CRASH_LOOP_EXITS) {
            return false;
        }
        long oldest = recentExits[exits % CRASH_LOOP_EXITS];
        return nowNanos - oldest <= CRASH_LOOP_WINDOW_NANOS;
    }
}
