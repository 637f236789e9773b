package dev.braid.ecmp.lab.impair;

import dev.braid.ecmp.lab.impair.DirectionCounters.Counter;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The logic of one direction, without sockets: a datagram read on port index i passes the blackhole
 * check, then the impairment model, and is either dropped, handed to the sender at once, or copied
 * into the delay queue; {@link #releaseDue} later sends what has come due. Everything is counted per
 * port. Called from one thread only (the direction's pump, or a test with a fake clock); the
 * impairment and the blackhole flags are the only state other threads change, and both are read
 * per packet, so a change takes effect with the next packet.
 */
final class DirectionPipeline {
    /** Sends a datagram on towards the far side of port index i; false when it could not. */
    interface DatagramSender {
        boolean send(int portIndex, ByteBuffer datagram);
    }

    private final ImpairmentModel model;
    private final DelayQueue queue;
    private final AtomicIntegerArray blackholed;
    private final DirectionCounters counters;
    private final DatagramSender sender;
    private volatile Impairment impairment = Impairment.NONE;

    /**
     * @param blackholed one flag per port index (non-zero = drop), shared by both directions
     */
    DirectionPipeline(long seed, DelayQueue queue, AtomicIntegerArray blackholed, DirectionCounters counters,
                      DatagramSender sender) {
        this.model = new ImpairmentModel(seed);
        this.queue = queue;
        this.blackholed = blackholed;
        this.counters = counters;
        this.sender = sender;
    }

    void setImpairment(Impairment impairment) {
        this.impairment = impairment;
    }

    Impairment impairment() {
        return impairment;
    }

    /** A datagram (its remaining bytes) read on port index {@code portIndex} at {@code nowNanos}. */
    void onDatagram(int portIndex, ByteBuffer datagram, long nowNanos) {
        if (blackholed.get(portIndex) != 0) {
            counters.increment(portIndex, Counter.BLACKHOLED);
            return;
        }
        switch (model.decide(impairment, nowNanos)) {
            case LOSE -> counters.increment(portIndex, Counter.LOST);
            case SEND_NOW -> forward(portIndex, datagram);
            case REORDER -> {
                if (forward(portIndex, datagram)) {
                    counters.increment(portIndex, Counter.REORDERED);
                }
            }
            case DELAY -> {
                int result = queue.offer(portIndex, datagram, model.dueNanos());
                if (result == DelayQueue.FULL) {
                    counters.increment(portIndex, Counter.QUEUE_OVERFLOW);
                } else if (result == DelayQueue.TOO_LARGE) {
                    counters.increment(portIndex, Counter.TOO_LARGE);
                }
            }
        }
    }

    /** Sends up to {@code max} queued datagrams due at {@code nowNanos}; returns how many left the queue. */
    int releaseDue(long nowNanos, int max) {
        int released = 0;
        int slot;
        while (released < max && (slot = queue.pollDue(nowNanos)) >= 0) {
            int portIndex = queue.portIndex(slot);
            if (blackholed.get(portIndex) != 0) {
                counters.increment(portIndex, Counter.BLACKHOLED);
            } else {
                forward(portIndex, queue.payload(slot));
            }
            queue.release(slot);
            released++;
        }
        return released;
    }

    /** When the next queued datagram comes due, {@link Long#MAX_VALUE} if none waits. */
    long nextDueNanos() {
        return queue.nextDueNanos();
    }

    int queued() {
        return queue.size();
    }

    private boolean forward(int portIndex, ByteBuffer datagram) {
        int bytes = datagram.remaining();
        if (sender.send(portIndex, datagram)) {
            counters.increment(portIndex, Counter.FORWARDED_PACKETS);
            counters.add(portIndex, Counter.FORWARDED_BYTES, bytes);
            return true;
        }
        counters.increment(portIndex, Counter.SEND_FAILED);
        return false;
    }
}
