package dev.braid.ecmp.lab.impair;

import java.util.Locale;

/**
 * What the relay does to the datagrams of one direction, in netem's terms: a fixed delay with
 * uniform jitter, random loss, and reordering — each with a correlation to the previous packet.
 *
 * <ul>
 *   <li><b>Delay:</b> each packet waits {@code delay + jitter·(2c−1)} where c is a correlated
 *       uniform in [0,1) ({@code c = ρ·c_prev + (1−ρ)·u}, netem's formula, ρ =
 *       {@code jitterCorrelationPercent}/100), so a delay lies in [delay−jitter, delay+jitter],
 *       clamped at 0 (a jitter above the delay sends that share of packets at once). Packets leave
 *       in the order of their due times, so jitter alone reorders, as netem's time-sorted queue does.
 *       netem's default jitter distribution is a normal table; this relay draws uniformly so that
 *       the bound above holds.</li>
 *   <li><b>Loss:</b> a packet is dropped with probability {@code lossPercent}/100. With a
 *       correlation ρ the previous decision is repeated with probability ρ and a fresh decision is
 *       drawn otherwise: the long-run loss rate stays exactly {@code lossPercent} while losses come
 *       in bursts (mean burst length ≈ 1/(1−ρ)). netem applies its weighted-sum formula to the
 *       uniform value itself, which narrows the value's spread and makes small percentages almost
 *       never happen (tc-netem(8) calls loss correlation "deprecated due to the noticed bad
 *       behavior"): LOW's 0.25 % at 25 % would lose nearly nothing. Mixing decisions keeps the
 *       configured rate and still makes correlation raise burstiness.</li>
 *   <li><b>Reorder:</b> like {@code netem reorder P% C%} (gap 1): a surviving packet is, with
 *       probability {@code reorderPercent}/100 (correlated as loss is), sent at once instead of
 *       waiting its delay, so it overtakes the packets still queued. As in netem this needs a delay:
 *       with zero delay and jitter nothing can be overtaken and no packet is counted reordered.</li>
 * </ul>
 *
 * @param delayNanos fixed one-way delay added by the relay
 * @param jitterNanos half-width of the uniform delay variation (± jitter)
 * @param jitterCorrelationPercent netem-style correlation of successive jitter draws, 0–100
 * @param lossPercent share of packets dropped, 0–100
 * @param lossCorrelationPercent probability of repeating the previous loss decision, 0–100
 * @param reorderPercent share of surviving packets sent without their delay, 0–100
 * @param reorderCorrelationPercent probability of repeating the previous reorder decision, 0–100
 */
public record Impairment(long delayNanos, long jitterNanos, double jitterCorrelationPercent,
                         double lossPercent, double lossCorrelationPercent,
                         double reorderPercent, double reorderCorrelationPercent) {

    /** Forward everything at once. */
    public static final Impairment NONE = new Impairment(0, 0, 0, 0, 0, 0, 0);

    public Impairment {
        if (delayNanos < 0 || jitterNanos < 0) {
            throw new IllegalArgumentException("delay and jitter must be >= 0 (got delayNanos=" + delayNanos
                    + ", jitterNanos=" + jitterNanos + ")");
        }
        checkPercent("jitterCorrelationPercent", jitterCorrelationPercent);
        checkPercent("lossPercent", lossPercent);
        checkPercent("lossCorrelationPercent", lossCorrelationPercent);
        checkPercent("reorderPercent", reorderPercent);
        checkPercent("reorderCorrelationPercent", reorderCorrelationPercent);
    }

    /**
     * The shape of a netem line {@code delay D J C loss L C reorder R C}: one correlation for
     * jitter, loss and reorder, as the benchmarking profiles give it.
     */
    public static Impairment netemLike(double delayMillis, double jitterMillis, double lossPercent,
                                       double reorderPercent, double correlationPercent) {
        if (!(delayMillis >= 0) || !(jitterMillis >= 0)) {
            throw new IllegalArgumentException("delay and jitter must be >= 0 ms (got " + delayMillis + ", "
                    + jitterMillis + ")");
        }
        return new Impairment(Math.round(delayMillis * 1e6), Math.round(jitterMillis * 1e6), correlationPercent,
                lossPercent, correlationPercent, reorderPercent, correlationPercent);
    }

    public Impairment withLossPercent(double percent) {
        return new Impairment(delayNanos, jitterNanos, jitterCorrelationPercent, percent, lossCorrelationPercent,
                reorderPercent, reorderCorrelationPercent);
    }

    public Impairment withReorderPercent(double percent) {
        return new Impairment(delayNanos, jitterNanos, jitterCorrelationPercent, lossPercent, lossCorrelationPercent,
                percent, reorderCorrelationPercent);
    }

    /** True when packets may wait in the relay (reordering needs this). */
    public boolean delays() {
        return delayNanos > 0 || jitterNanos > 0;
    }

    private static void checkPercent(String name, double value) {
        if (!(value >= 0 && value <= 100)) {
            throw new IllegalArgumentException(name + " must be within 0..100 (got " + value + ")");
        }
    }

    /** netem-like text, e.g. {@code delay 4ms 7ms 50% loss 1% 50% reorder 2.5% 50%}. */
    public String describe() {
        if (equals(NONE)) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("delay ").append(millis(delayNanos));
        if (jitterNanos > 0) {
            sb.append(' ').append(millis(jitterNanos)).append(' ').append(percent(jitterCorrelationPercent));
        }
        sb.append(" loss ").append(percent(lossPercent)).append(' ').append(percent(lossCorrelationPercent));
        sb.append(" reorder ").append(percent(reorderPercent)).append(' ').append(percent(reorderCorrelationPercent));
        return sb.toString();
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3gms", nanos / 1e6);
    }

    private static String percent(double p) {
        return String.format(Locale.ROOT, "%.3g%%", p);
    }
}
