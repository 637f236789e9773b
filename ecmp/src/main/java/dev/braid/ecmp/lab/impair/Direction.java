package dev.braid.ecmp.lab.impair;

/** Which way a datagram crosses the relay: from site A's side to site B's, or back. */
public enum Direction {
    A_TO_B("A→B"),
    B_TO_A("B→A");

    private final String arrow;

    Direction(String arrow) {
        this.arrow = arrow;
    }

    public String arrow() {
        return arrow;
    }
}
