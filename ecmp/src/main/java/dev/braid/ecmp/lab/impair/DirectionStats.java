package dev.braid.ecmp.lab.impair;

/**
 * What one port's traffic in one direction went through, counted since the relay started. Every
 * datagram the relay read ends in exactly one of forwarded, lost, blackholed, queueOverflow,
 * tooLarge and sendFailed — or is still queued. {@code reordered} counts forwarded packets that
 * skipped their delay (they are in {@code forwardedPackets} too).
 *
 * @param forwardedPackets sent on towards the far site
 * @param forwardedBytes UDP payload bytes of those
 * @param lost dropped by the loss model
 * @param reordered sent without their delay by the reorder model (subset of forwarded)
 * @param blackholed dropped because the port was blackholed (on arrival or while queued)
 * @param queueOverflow dropped because every delay slot was taken
 * @param tooLarge dropped because the datagram is larger than a delay slot
 * @param sendFailed dropped because the outgoing socket refused it (buffer full, network error)
 */
public record DirectionStats(long forwardedPackets, long forwardedBytes, long lost, long reordered,
                             long blackholed, long queueOverflow, long tooLarge, long sendFailed) {

    public static final DirectionStats ZERO = new DirectionStats(0, 0, 0, 0, 0, 0, 0, 0);

    /** Datagrams the relay has finished with: forwarded or dropped for any reason. */
    public long handled() {
        return forwardedPackets + lost + blackholed + queueOverflow + tooLarge + sendFailed;
    }

    /** Drops of any kind. */
    public long dropped() {
        return lost + blackholed + queueOverflow + tooLarge + sendFailed;
    }

    public DirectionStats plus(DirectionStats o) {
        return new DirectionStats(forwardedPackets + o.forwardedPackets, forwardedBytes + o.forwardedBytes,
                lost + o.lost, reordered + o.reordered, blackholed + o.blackholed,
                queueOverflow + o.queueOverflow, tooLarge + o.tooLarge, sendFailed + o.sendFailed);
    }

    /** The difference to an earlier snapshot: what happened in between. */
    public DirectionStats minus(DirectionStats earlier) {
        return new DirectionStats(forwardedPackets - earlier.forwardedPackets,
                forwardedBytes - earlier.forwardedBytes, lost - earlier.lost, reordered - earlier.reordered,
                blackholed - earlier.blackholed, queueOverflow - earlier.queueOverflow,
                tooLarge - earlier.tooLarge, sendFailed - earlier.sendFailed);
    }

    @Override
    public String toString() {
        return "fwd=" + forwardedPackets + " (" + forwardedBytes + " B) lost=" + lost + " reordered=" + reordered
                + " blackholed=" + blackholed + " overflow=" + queueOverflow + " tooLarge=" + tooLarge
                + " sendFailed=" + sendFailed;
    }
}
