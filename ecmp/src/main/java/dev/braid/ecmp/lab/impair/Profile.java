package dev.braid.ecmp.lab.impair;

/**
 * The network profiles of the benchmarking thesis Braid's benchmarks follow, each applied to both
 * directions as tc netem on both machines' egress would be: delay, jitter, loss, reorder, and one
 * correlation for all three.
 */
public enum Profile {
    BASELINE(Impairment.NONE),
    LOW(Impairment.netemLike(2, 2, 0.25, 0.5, 25)),
    MEDIUM(Impairment.netemLike(4, 7, 1, 2.5, 50)),
    HIGH(Impairment.netemLike(6, 15, 2.5, 5, 50));

    private final Impairment impairment;

    Profile(Impairment impairment) {
        this.impairment = impairment;
    }

    public Impairment impairment() {
        return impairment;
    }
}
