package dev.braid.ecmp.lab.impair;

/** One relayed port (worker pair) in both directions. */
public record PortStats(int port, boolean blackholed, DirectionStats aToB, DirectionStats bToA) {

    public DirectionStats direction(Direction direction) {
        return direction == Direction.A_TO_B ? aToB : bToA;
    }
}
