package dev.braid.ecmp.lab.impair;

import java.util.List;

/**
 * A snapshot of the relay's counters: per port and direction, plus how many packets wait in each
 * direction's delay queue right now.
 */
public record RelayStats(List<PortStats> ports, int queuedAToB, int queuedBToA) {

    public RelayStats {
        ports = List.copyOf(ports);
    }

    public PortStats port(int port) {
        for (PortStats p : ports) {
            if (p.port() == port) {
                return p;
            }
        }
        throw new IllegalArgumentException("port " + port + " is not relayed (relayed: "
                + ports.stream().map(PortStats::port).toList() + ")");
    }

    /** One direction summed over all ports. */
    public DirectionStats total(Direction direction) {
        DirectionStats sum = DirectionStats.ZERO;
        for (PortStats p : ports) {
            sum = sum.plus(p.direction(direction));
        }
        return sum;
    }

    /** One line per port and direction, for test output and benchmarks. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("relay: queued A→B=" + queuedAToB + " B→A=" + queuedBToA);
        for (PortStats p : ports) {
            for (Direction d : Direction.values()) {
                sb.append("\n  port ").append(p.port()).append(' ').append(d.arrow()).append(' ')
                        .append(p.direction(d)).append(p.blackholed() ? " [blackholed]" : "");
            }
        }
        return sb.toString();
    }
}
