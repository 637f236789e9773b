package dev.braid.ecmp.lab.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DelayQueueTest {
    private static ByteBuffer datagram(int id, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(0, id);
        return b;
    }

    private static int idOf(DelayQueue q, int slot) {
        return q.payload(slot).getInt(0);
    }

    /** Drains everything due at {@code now}, returning the ids in release order. */
    private static List<Integer> drain(DelayQueue q, long now) {
        List<Integer> ids = new ArrayList<>();
        int slot;
        while ((slot = q.pollDue(now)) >= 0) {
            ids.add(idOf(q, slot));
            q.release(slot);
        }
        return ids;
    }

    @Test
    void releasesByDueTimeAndKeepsArrivalOrderForEqualTimes() {
        DelayQueue q = new DelayQueue(16, 64);
        long[] due = {50, 10, 30, 10, 20, 30, 10};
        for (int i = 0; i < due.length; i++) {
            assertEquals(DelayQueue.ACCEPTED, q.offer(0, datagram(i, 8), due[i]));
        }
        assertEquals(10, q.nextDueNanos());
        assertEquals(List.of(1, 3, 6), drain(q, 10));
        assertEquals(List.of(), drain(q, 19));
        assertEquals(List.of(4, 2, 5, 0), drain(q, 100));
        assertTrue(q.isEmpty());
        assertEquals(Long.MAX_VALUE, q.nextDueNanos());
    }

    @Test
    void randomDueTimesComeOutSorted() {
        DelayQueue q = new DelayQueue(1000, 16);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            q.offer(0, datagram(i, 4), r.nextLong(1_000_000));
        }
        long last = Long.MIN_VALUE;
        int slot;
        int count = 0;
        while ((slot = q.pollDue(Long.MAX_VALUE - 1)) >= 0) {
            assertTrue(q.dueNanos(slot) >= last);
            last = q.dueNanos(slot);
            q.release(slot);
            count++;
        }
        assertEquals(1000, count);
    }

    @Test
    void aFullQueueRefusesAndReleasedSlotsAreReused() {
        DelayQueue q = new DelayQueue(4, 32);
        for (int i = 0; i < 4; i++) {
            assertEquals(DelayQueue.ACCEPTED, q.offer(i % 2, datagram(i, 10), i));
        }
        assertEquals(DelayQueue.FULL, q.offer(0, datagram(99, 10), 0));
        int slot = q.pollDue(0);
        assertEquals(0, idOf(q, slot));
        q.release(slot);
        assertEquals(DelayQueue.ACCEPTED, q.offer(1, datagram(4, 10), 10));
        // many rounds through a small pool: nothing leaks
        for (int round = 0; round < 10_000; round++) {
            slot = q.pollDue(Long.MAX_VALUE - 1);
            q.release(slot);
            assertEquals(DelayQueue.ACCEPTED, q.offer(round % 2, datagram(round, 10), 100 + round));
        }
        assertEquals(4, q.size());
    }

    @Test
    void aDatagramLargerThanASlotIsRefused() {
        DelayQueue q = new DelayQueue(4, 100);
        assertEquals(DelayQueue.TOO_LARGE, q.offer(0, datagram(1, 101), 0));
        assertEquals(DelayQueue.ACCEPTED, q.offer(0, datagram(2, 100), 0));
    }

    @Test
    void theDatagramIsCopiedWithItsPortAndTheSourceIsLeftAlone() {
        DelayQueue q = new DelayQueue(2, 64);
        ByteBuffer src = ByteBuffer.allocateDirect(64);
        src.put(new byte[] {1, 2, 3, 4, 5, 6}).flip().position(2);
        q.offer(7, src, 5);
        assertEquals(2, src.position());
        src.put(2, (byte) 99);
        int slot = q.pollDue(5);
        ByteBuffer payload = q.payload(slot);
        assertEquals(7, q.portIndex(slot));
        assertEquals(4, payload.remaining());
        assertEquals(3, payload.get(0));
        assertEquals(6, payload.get(3));
    }
}
