package dev.braid.gateway.supervisor;

import dev.braid.instance.counters.Counter;
import dev.braid.instance.counters.CountersFile;

/**
 * Whether a path (one worker and its peer worker) is carrying traffic, judged from what the worker
 * itself timed: a path is up once the worker holds a session and has received an authenticated
 * packet within {@code deadAfterNanos}; it is down when that packet is older, when the worker's loop
 * stopped ticking (stuck or paused that long), or when the worker process is gone. Keepalives on
 * the worker make an idle path prove itself every interval, so dead_after ≈ 3 intervals.
 * Monotonic times come from CLOCK_MONOTONIC, which the supervisor and its workers share.
 */
final class PathHealth {
    /** PENDING: a freshly started site's path before its first handshake; it counts as live. */
    enum State { PENDING, UP, DOWN }

    private final long deadAfterNanos;

    PathHealth(long deadAfterNanos) {
        this.deadAfterNanos = deadAfterNanos;
    }

    State evaluate(CountersFile counters, boolean processAlive, long nowNanos) {
        if (!processAlive || counters == null) {
            return State.DOWN;
        }
        if (counters.get(Counter.SESSION_ESTABLISHED) != 1) {
            return State.DOWN;
        }
        long lastReceive = counters.get(Counter.LAST_RECEIVE_MONOTONIC_NANOS);
        long heartbeat = counters.get(Counter.LOOP_HEARTBEAT_MONOTONIC_NANOS);
        if (lastReceive == 0 || nowNanos - lastReceive > deadAfterNanos || nowNanos - heartbeat > deadAfterNanos) {
            return State.DOWN;
        }
        return State.UP;
    }

    /** Why {@link #evaluate} says DOWN, in words for the log (the first reason that applies). */
    String whyDown(CountersFile counters, boolean processAlive, long nowNanos) {
        if (!processAlive || counters == null) {
            return "worker process not running";
        }
        if (counters.get(Counter.SESSION_ESTABLISHED) != 1) {
            return "no session";
        }
        long lastReceive = counters.get(Counter.LAST_RECEIVE_MONOTONIC_NANOS);
        long heartbeat = counters.get(Counter.LOOP_HEARTBEAT_MONOTONIC_NANOS);
        if (nowNanos - heartbeat > deadAfterNanos) {
            return "worker loop silent for " + (nowNanos - heartbeat) / 1_000_000 + " ms";
        }
        return lastReceive == 0 ? "nothing received yet"
                : "nothing received for " + (nowNanos - lastReceive) / 1_000_000 + " ms";
    }

    /** Seconds since the last authenticated packet, or -1 if none yet. */
    static double lastReceiveAgeSeconds(CountersFile counters, long nowNanos) {
        long lastReceive = counters == null ? 0 : counters.get(Counter.LAST_RECEIVE_MONOTONIC_NANOS);
        return lastReceive == 0 ? -1 : Math.max(0, nowNanos - lastReceive) / 1e9;
    }
}
