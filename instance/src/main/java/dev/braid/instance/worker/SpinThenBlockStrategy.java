package dev.braid.instance.worker;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import java.util.function.LongSupplier;

/**
 * How the worker's loop waits for I/O. After it handled packets it polls epoll without blocking for
 * a while, and only then blocks in epoll_wait: a thread blocked on a vCPU that went idle pays a
 * wake-up of tens of microseconds (more on a nested guest) for the next packet, on every hop of a
 * round trip through two workers. Go's runtime spins the same way before parking.
 *
 * <p>Two lengths. After I/O in a busy stretch it polls {@code spinNanos} (the next packet of a
 * burst is microseconds away). After the first I/O that woke a blocked loop — a request after
 * quiet — it polls up to {@code replySpinNanos}: the answer usually comes back through this worker
 * within a round trip of the far site, and catching it by polling saves the wake-up that a ping or a
 * DNS query would otherwise pay at every hop back. Such a long poll that catches nothing (the far
 * site is further away than the poll, or the traffic is one-way) counts as fruitless; after
 * {@link #FRUITLESS_LIMIT} of them in a row, long polls pause for {@link #PAUSE_NANOS}, so a path
 * they cannot help costs at most a few milliseconds of polling per second. While it long-polls the
 * loop yields after each empty look, so that where workers share a core another ready thread runs
 * first. An idle path costs nothing: with no I/O the loop sleeps in epoll_wait.
 */
final class SpinThenBlockStrategy implements SelectStrategy {
    static final int FRUITLESS_LIMIT = 8;
    static final long PAUSE_NANOS = 1_000_000_000L;

    private final long spinNanos;
    private final long replySpinNanos;
    private final LongSupplier clock;
    private final Runnable yielder;
    private long lastActivityNanos;
    private boolean sawActivity;
    private boolean blocked = true;
    private long spinUntilNanos;
    private boolean replySpin;
    private int fruitless;
    private boolean paused;
    private long pausedUntilNanos;

    SpinThenBlockStrategy(long spinNanos, long replySpinNanos) {
        this(spinNanos, replySpinNanos, System::nanoTime, Thread::yield);
    }

    /**
     * {@code clock} in nanoseconds, the same one the handlers' {@link #activity} times come from;
     * {@code yielder} gives the CPU to another ready thread, if any (sched_yield).
     */
    SpinThenBlockStrategy(long spinNanos, long replySpinNanos, LongSupplier clock, Runnable yielder) {
        this.spinNanos = spinNanos;
        this.replySpinNanos = Math.max(replySpinNanos, spinNanos);
        this.clock = clock;
        this.yielder = yielder;
    }

    /** The loop's handlers call this when they handled I/O (at the start of handling). */
    void activity(long nowNanos) {
        lastActivityNanos = nowNanos;
        sawActivity = true;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectNow.get();
        }
        if (sawActivity) {
            sawActivity = false;
            if (replySpin) { // it caught this I/O
                replySpin = false;
                fruitless = 0;
            }
            if (paused && lastActivityNanos - pausedUntilNanos >= 0) {
                paused = false;
            }
            if (blocked && replySpinNanos > spinNanos && !paused) {
                replySpin = true;
                spinUntilNanos = lastActivityNanos + replySpinNanos;
            } else {
                spinUntilNanos = lastActivityNanos + spinNanos;
            }
            blocked = false;
        }
        if (clock.getAsLong() - spinUntilNanos < 0) {
            int ready = selectNow.get();
            if (ready > 0) {
                return ready;
            }
            if (replySpin) {
                // the long poll only uses a CPU nobody else wants: where workers share a core
                // (oversubscribed, or a small box), another thread that is ready runs first
                yielder.run();
            }
            return SelectStrategy.CONTINUE;
        }
        if (replySpin) {
            replySpin = false;
            if (++fruitless >= FRUITLESS_LIMIT) {
                fruitless = 0;
                paused = true;
                pausedUntilNanos = clock.getAsLong() + PAUSE_NANOS;
            }
        }
        blocked = true;
        return SelectStrategy.SELECT;
    }
}
