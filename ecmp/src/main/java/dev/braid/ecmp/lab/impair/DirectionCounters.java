package dev.braid.ecmp.lab.impair;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counters of one direction, one row per port: written only by that direction's pump thread
 * (plain read, release write — no locked instruction on the data path), read by any thread with
 * acquire semantics. A snapshot is consistent per counter, not across counters.
 */
final class DirectionCounters {
    enum Counter {
        FORWARDED_PACKETS, FORWARDED_BYTES, LOST, REORDERED, BLACKHOLED, QUEUE_OVERFLOW, TOO_LARGE, SEND_FAILED
    }

    private static final int KINDS = Counter.values().length;

    private final AtomicLongArray values;
    private final int ports;

    DirectionCounters(int ports) {
        this.ports = ports;
        this.values = new AtomicLongArray(ports * KINDS);
    }

    void increment(int portIndex, Counter counter) {
        add(portIndex, counter, 1);
    }

    void add(int portIndex, Counter counter, long amount) {
        int i = portIndex * KINDS + counter.ordinal();
        values.setRelease(i, values.getPlain(i) + amount);
    }

    long get(int portIndex, Counter counter) {
        return values.getAcquire(portIndex * KINDS + counter.ordinal());
    }

    int ports() {
        return ports;
    }

    DirectionStats snapshot(int portIndex) {
        return new DirectionStats(
                get(portIndex, Counter.FORWARDED_PACKETS),
                get(portIndex, Counter.FORWARDED_BYTES),
                get(portIndex, Counter.LOST),
                get(portIndex, Counter.REORDERED),
                get(portIndex, Counter.BLACKHOLED),
                get(portIndex, Counter.QUEUE_OVERFLOW),
                get(portIndex, Counter.TOO_LARGE),
                get(portIndex, Counter.SEND_FAILED));
    }
}
