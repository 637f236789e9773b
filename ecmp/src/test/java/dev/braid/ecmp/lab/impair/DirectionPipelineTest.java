package dev.braid.ecmp.lab.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.braid.ecmp.lab.impair.DirectionCounters.Counter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The direction logic with a fake clock and a sender that records what leaves and when. */
class DirectionPipelineTest {
    private static final long MS = 1_000_000;

    private record Sent(int portIndex, int id, long atNanos) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final AtomicIntegerArray blackholed = new AtomicIntegerArray(2);
    private final DirectionCounters counters = new DirectionCounters(2);
    private final ByteBuffer datagram = ByteBuffer.allocateDirect(1500);
    private long now = 1_000 * MS;
    private boolean senderAccepts = true;

    private DirectionPipeline pipeline = withDelaySlots(1024);

    private DirectionPipeline withDelaySlots(int slots) {
        pipeline = new DirectionPipeline(17, new DelayQueue(slots, 1500), blackholed, counters, (portIndex, d) -> {
            if (senderAccepts) {
                sent.add(new Sent(portIndex, d.getInt(d.position()), now));
                d.position(d.limit());
            }
            return senderAccepts;
        });
        return pipeline;
    }

    private void arrive(int portIndex, int id) {
        datagram.clear();
        datagram.putInt(id).put(new byte[96]).flip();
        pipeline.onDatagram(portIndex, datagram, now);
    }

    private void advanceTo(long t) {
        now = t;
        pipeline.releaseDue(now, Integer.MAX_VALUE);
    }

    private List<Integer> sentIds() {
        return sent.stream().map(Sent::id).toList();
    }

    @Test
    void withoutImpairmentEverythingLeavesAtOnceInOrder() {
        for (int i = 0; i < 10; i++) {
            arrive(i % 2, i);
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), sentIds());
        assertEquals(5, counters.get(0, Counter.FORWARDED_PACKETS));
        assertEquals(5 * 100, counters.get(1, Counter.FORWARDED_BYTES));
        assertEquals(0, pipeline.queued());
    }

    @Test
    void delayedDatagramsLeaveWhenDueAndNotBefore() {
        pipeline.setImpairment(new Impairment(5 * MS, 0, 0, 0, 0, 0, 0));
        long start = now;
        arrive(0, 1);
        now += MS;
        arrive(1, 2);
        assertTrue(sent.isEmpty());
        assertEquals(start + 5 * MS, pipeline.nextDueNanos());
        advanceTo(start + 5 * MS - 1);
        assertTrue(sent.isEmpty());
        advanceTo(start + 5 * MS);
        assertEquals(List.of(new Sent(0, 1, start + 5 * MS)), sent);
        advanceTo(start + 6 * MS);
        assertEquals(List.of(1, 2), sentIds());
        assertEquals(Long.MAX_VALUE, pipeline.nextDueNanos());
    }

    @Test
    void aReorderedDatagramOvertakesTheOnesStillWaiting() {
        pipeline.setImpairment(new Impairment(10 * MS, 0, 0, 0, 0, 20, 0));
        for (int id = 0; id < 500; id++) {
            arrive(0, id);
            now += 10_000;
        }
        List<Integer> overtakers = sentIds();
        advanceTo(now + 10 * MS);
        long reordered = counters.get(0, Counter.REORDERED);
        assertEquals(reordered, overtakers.size());
        assertTrue(reordered > 50 && reordered < 150, "reordered " + reordered + " of 500 at 20 %");
        List<Integer> ids = sentIds();
        assertEquals(500, ids.size());
        // every overtaker left before some lower id; the others kept their order among themselves
        for (int id : overtakers) {
            if (id == 0) {
                continue;
            }
            assertTrue(ids.indexOf(id) < ids.indexOf(id - 1) || overtakers.contains(id - 1),
                    "id " + id + " should have overtaken " + (id - 1));
        }
        List<Integer> delayed = ids.stream().filter(i -> !overtakers.contains(i)).toList();
        assertEquals(delayed.stream().sorted().toList(), delayed);
        assertTrue(ids.indexOf(overtakers.get(overtakers.size() - 1)) < ids.indexOf(0),
                "the last overtaker left before packet 0, which waited its 10 ms");
    }

    @Test
    void aBlackholeDropsEveryDatagramOfItsPortOnlyIncludingQueuedOnes() {
        pipeline.setImpairment(new Impairment(5 * MS, 0, 0, 0, 0, 0, 0));
        for (int i = 0; i < 20; i++) {
            arrive(i % 2, i);
        }
        blackholed.set(0, 1);
        for (int i = 20; i < 40; i++) {
            arrive(i % 2, i);
        }
        advanceTo(now + 5 * MS);
        assertTrue(sent.stream().allMatch(s -> s.portIndex() == 1));
        assertEquals(20, sent.size());
        assertEquals(20, counters.get(0, Counter.BLACKHOLED));
        assertEquals(0, counters.get(1, Counter.BLACKHOLED));

        blackholed.set(0, 0);
        pipeline.setImpairment(Impairment.NONE);
        arrive(0, 100);
        assertEquals(100, sent.get(sent.size() - 1).id());
    }

    @Test
    void aNewImpairmentAppliesFromTheNextDatagram() {
        pipeline.setImpairment(new Impairment(0, 0, 0, 100, 0, 0, 0));
        arrive(0, 1);
        arrive(0, 2);
        pipeline.setImpairment(Impairment.NONE);
        arrive(0, 3);
        assertEquals(List.of(3), sentIds());
        assertEquals(2, counters.get(0, Counter.LOST));
    }

    @Test
    void overflowAndRefusedSendsAreCountedAndEveryDatagramIsAccountedFor() {
        withDelaySlots(64);
        pipeline.setImpairment(Profile.HIGH.impairment());
        int total = 0;
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 20; i++) {
                arrive(i % 2, total++);
            }
            senderAccepts = round % 10 != 3;
            advanceTo(now + MS);
        }
        senderAccepts = true;
        advanceTo(now + 100 * MS);
        // 64 slots and HIGH's up to 21 ms delay at 20 packets per ms: some must overflow
        long handled = 0;
        long overflow = 0;
        long sendFailed = 0;
        for (int p = 0; p < 2; p++) {
            DirectionStats s = counters.snapshot(p);
            handled += s.handled();
            overflow += s.queueOverflow();
            sendFailed += s.sendFailed();
        }
        assertEquals(total, handled);
        assertTrue(overflow > 0, "overflow");
        assertTrue(sendFailed > 0, "send failures");
        assertEquals(sent.size(), counters.get(0, Counter.FORWARDED_PACKETS) + counters.get(1, Counter.FORWARDED_PACKETS));
        assertEquals(0, pipeline.queued());
    }
}
