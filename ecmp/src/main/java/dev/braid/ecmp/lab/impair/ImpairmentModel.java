package dev.braid.ecmp.lab.impair;

import java.util.SplittableRandom;

/**
 * The per-packet decisions of one direction: lose it, send it now (no delay configured, or picked
 * to be reordered), or hold it until a due time. Single-threaded (the direction's pump owns it);
 * the random sequence is fixed by the seed, so a test that feeds the same packets gets the same
 * decisions. The meaning of each knob is documented on {@link Impairment}.
 */
final class ImpairmentModel {
    enum Verdict {
        /** Dropped by the loss model. */
        LOSE,
        /** No delay configured: forward at once. */
        SEND_NOW,
        /** Picked for reordering: forward at once, ahead of the packets still waiting. */
        REORDER,
        /** Hold until {@link #dueNanos()}. */
        DELAY
    }

    private final SplittableRandom random;
    private boolean previousLost;
    private boolean previousReordered;
    private double previousJitterUniform;
    private long dueNanos;

    ImpairmentModel(long seed) {
        this.random = new SplittableRandom(seed);
        this.previousJitterUniform = random.nextDouble();
    }

    Verdict decide(Impairment impairment, long nowNanos) {
        if (impairment.lossPercent() > 0) {
            previousLost = correlatedEvent(impairment.lossPercent(), impairment.lossCorrelationPercent(), previousLost);
            if (previousLost) {
                return Verdict.LOSE;
            }
        }
        if (!impairment.delays()) {
            return Verdict.SEND_NOW;
        }
        if (impairment.reorderPercent() > 0) {
            previousReordered = correlatedEvent(impairment.reorderPercent(), impairment.reorderCorrelationPercent(),
                    previousReordered);
            if (previousReordered) {
                return Verdict.REORDER;
            }
        }
        dueNanos = nowNanos + delayNanos(impairment);
        return Verdict.DELAY;
    }

    /** The due time of the packet last given {@link Verdict#DELAY}. */
    long dueNanos() {
        return dueNanos;
    }

    /**
     * With probability correlation repeat the previous outcome, else draw afresh: the stationary
     * rate stays {@code percent} (see {@link Impairment} for why not netem's weighted sum).
     */
    private boolean correlatedEvent(double percent, double correlationPercent, boolean previous) {
        if (correlationPercent > 0 && random.nextDouble() * 100 < correlationPercent) {
            return previous;
        }
        return random.nextDouble() * 100 < percent;
    }

    private long delayNanos(Impairment impairment) {
        long jitter = impairment.jitterNanos();
        if (jitter == 0) {
            return impairment.delayNanos();
        }
        double rho = impairment.jitterCorrelationPercent() / 100;
        double c = rho * previousJitterUniform + (1 - rho) * random.nextDouble();
        previousJitterUniform = c;
        long delay = impairment.delayNanos() + (long) ((2 * c - 1) * jitter);
        return Math.max(0, delay);
    }
}
