package dev.braid.ecmp.lab.impair;

import java.nio.ByteBuffer;

/**
 * Datagrams waiting for their due time, in a fixed pool of slots allocated once: one direct buffer
 * cut into equal slots, a free-slot stack, and a binary min-heap of slot numbers ordered by due time
 * and then by arrival, so packets with equal due times keep their order. Offering copies the
 * datagram into a free slot; {@link #pollDue} hands out the earliest due slot, which the caller sends
 * from {@link #payload} and then {@link #release}s. Nothing is allocated after construction.
 * Single-threaded: owned by one direction's pump.
 */
final class DelayQueue {
    static final int ACCEPTED = 0;
    static final int FULL = 1;
    static final int TOO_LARGE = 2;

    private final int slotBytes;
    private final ByteBuffer[] slotViews;
    private final long[] dueNanos;
    private final long[] arrival;
    private final int[] portIndex;
    private final int[] heap;
    private int heapSize;
    private final int[] freeSlots;
    private int freeCount;
    private long nextArrival;

    DelayQueue(int slots, int slotBytes) {
        if (slots < 1 || slotBytes < 1) {
            throw new IllegalArgumentException("a delay queue needs at least one slot of one byte (got " + slots
                    + " slots of " + slotBytes + " bytes)");
        }
        if ((long) slots * slotBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(slots + " slots of " + slotBytes + " bytes exceed 2 GiB");
        }
        this.slotBytes = slotBytes;
        ByteBuffer storage = ByteBuffer.allocateDirect(slots * slotBytes);
        this.slotViews = new ByteBuffer[slots];
        for (int i = 0; i < slots; i++) {
            slotViews[i] = storage.slice(i * slotBytes, slotBytes);
        }
        this.dueNanos = new long[slots];
        this.arrival = new long[slots];
        this.portIndex = new int[slots];
        this.heap = new int[slots];
        this.freeSlots = new int[slots];
        for (int i = 0; i < slots; i++) {
            freeSlots[i] = slots - 1 - i;
        }
        this.freeCount = slots;
    }

    /**
     * Copies the remaining bytes of {@code datagram} (its position is left alone) into a free slot
     * due at {@code due}. Returns {@link #ACCEPTED}, {@link #FULL} or {@link #TOO_LARGE}.
     */
    int offer(int port, ByteBuffer datagram, long due) {
        int length = datagram.remaining();
        if (length > slotBytes) {
            return TOO_LARGE;
        }
        if (freeCount == 0) {
            return FULL;
        }
        int slot = freeSlots[--freeCount];
        ByteBuffer view = slotViews[slot];
        view.clear();
        view.put(0, datagram, datagram.position(), length);
        view.limit(length);
        dueNanos[slot] = due;
        arrival[slot] = nextArrival++;
        portIndex[slot] = port;
        siftUp(heapSize++, slot);
        return ACCEPTED;
    }

    boolean isEmpty() {
        return heapSize == 0;
    }

    /** Packets waiting (not counting slots handed out by {@link #pollDue} and not yet released). */
    int size() {
        return heapSize;
    }

    int capacity() {
        return slotViews.length;
    }

    int slotBytes() {
        return slotBytes;
    }

    /** The earliest due time, or {@link Long#MAX_VALUE} when nothing waits. */
    long nextDueNanos() {
        return heapSize == 0 ? Long.MAX_VALUE : dueNanos[heap[0]];
    }

    /** Removes and returns the earliest slot if it is due at {@code nowNanos}, else -1. */
    int pollDue(long nowNanos) {
        if (heapSize == 0 || dueNanos[heap[0]] - nowNanos > 0) {
            return -1;
        }
        int slot = heap[0];
        int last = heap[--heapSize];
        if (heapSize > 0) {
            siftDown(0, last);
        }
        return slot;
    }

    /** The datagram in {@code slot}, positioned at its start. */
    ByteBuffer payload(int slot) {
        return slotViews[slot].position(0);
    }

    int portIndex(int slot) {
        return portIndex[slot];
    }

    long dueNanos(int slot) {
        return dueNanos[slot];
    }

    /** Gives a slot obtained from {@link #pollDue} back to the pool. */
    void release(int slot) {
        freeSlots[freeCount++] = slot;
    }

    private boolean before(int a, int b) {
        long d = dueNanos[a] - dueNanos[b];
        return d < 0 || (d == 0 && arrival[a] < arrival[b]);
    }

    private void siftUp(int at, int slot) {
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (!before(slot, heap[parent])) {
                break;
            }
            heap[at] = heap[parent];
            at = parent;
        }
        heap[at] = slot;
    }

    private void siftDown(int at, int slot) {
        int half = heapSize >>> 1;
        while (at < half) {
            int child = 2 * at + 1;
            int right = child + 1;
            if (right < heapSize && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], slot)) {
                break;
            }
            heap[at] = heap[child];
            at = child;
        }
        heap[at] = slot;
    }
}
