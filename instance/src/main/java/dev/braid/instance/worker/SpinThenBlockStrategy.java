package dev.braid.instance.worker;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;

/**
 * How the worker's loop waits for I/O: right after it handled a packet it polls epoll without
 * blocking for a short while (the next packet of a burst, or the answer to the one just sent, is
 * usually microseconds away), and only then blocks in epoll_wait. A blocked thread on a vCPU that
 * went idle pays a wake-up of tens of microseconds per packet — on every hop of a ping through two
 * workers and back; Go's runtime spins the same way before parking. An idle path costs nothing:
 * after {@link #spinNanos} of silence the loop sleeps as before.
 */
final class SpinThenBlockStrategy implements SelectStrategy {
    private final long spinNanos;
    private long lastActivityNanos;

    SpinThenBlockStrategy(long spinNanos) {
        this.spinNanos = spinNanos;
    }

    /** The loop's handlers call this when they handled I/O. */
    void activity(long nowNanos) {
        lastActivityNanos = nowNanos;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectNow.get();
        }
        if (spinNanos > 0 && System.nanoTime() - lastActivityNanos < spinNanos) {
            int ready = selectNow.get();
            return ready > 0 ? ready : SelectStrategy.CONTINUE;
        }
        return SelectStrategy.SELECT;
    }
}
