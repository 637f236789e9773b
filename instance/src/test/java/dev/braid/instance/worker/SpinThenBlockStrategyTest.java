package dev.braid.instance.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import org.junit.jupiter.api.Test;

/** The loop's wait decisions on a made-up clock: when it polls, for how long, and when it blocks. */
class SpinThenBlockStrategyTest {
    private static final long US = 1_000;
    private static final IntSupplier NOTHING_READY = () -> 0;
    private static final IntSupplier ONE_READY = () -> 1;

    private long now;
    private int yields;
    private final SpinThenBlockStrategy strategy = new SpinThenBlockStrategy(50 * US, 500 * US, () -> now, () -> yields++);

    /** The handlers saw I/O at {@code micros}. */
    private void io(long micros) {
        strategy.activity(micros * US);
    }

    private int at(long micros, IntSupplier ready) throws Exception {
        now = micros * US;
        return strategy.calculateStrategy(ready, false);
    }

    @Test
    void aPacketThatWokeTheLoopIsFollowedByTheLongPoll() throws Exception {
        io(0);
        assertEquals(SelectStrategy.CONTINUE, at(100, NOTHING_READY));
        assertEquals(SelectStrategy.CONTINUE, at(499, NOTHING_READY));
        assertEquals(SelectStrategy.SELECT, at(501, NOTHING_READY));
    }

    @Test
    void inABusyStretchTheLoopPollsOnlyTheShortWhile() throws Exception {
        io(0);
        assertEquals(1, at(200, ONE_READY)); // the answer, caught by the long poll
        io(200);
        assertEquals(SelectStrategy.CONTINUE, at(249, NOTHING_READY));
        assertEquals(SelectStrategy.SELECT, at(251, NOTHING_READY));
        io(10_000); // woke the blocked loop again: a long poll again
        assertEquals(SelectStrategy.CONTINUE, at(10_400, NOTHING_READY));
    }

    @Test
    void theLongPollGivesWayToOtherThreadsTheShortOneDoesNot() throws Exception {
        io(0);
        at(100, NOTHING_READY);
        at(200, NOTHING_READY);
        assertEquals(2, yields, "a yield per empty look during the long poll");
        assertEquals(1, at(300, ONE_READY));
        io(300);
        assertEquals(SelectStrategy.CONTINUE, at(320, NOTHING_READY));
        assertEquals(2, yields, "none in the short poll of a busy stretch");
    }

    @Test
    void longPollsThatCatchNothingPauseThenComeBack() throws Exception {
        long t = 0;
        for (int i = 0; i < SpinThenBlockStrategy.FRUITLESS_LIMIT; i++) {
            io(t);
            assertEquals(SelectStrategy.CONTINUE, at(t + 100, NOTHING_READY), "long poll " + i);
            assertEquals(SelectStrategy.SELECT, at(t + 600, NOTHING_READY));
            t += 10_000;
        }
        // paused: a packet that wakes the loop gets only the short poll
        io(t);
        assertEquals(SelectStrategy.CONTINUE, at(t + 40, NOTHING_READY));
        assertEquals(SelectStrategy.SELECT, at(t + 100, NOTHING_READY));
        // a second later long polls are back
        t += SpinThenBlockStrategy.PAUSE_NANOS / US + 10_000;
        io(t);
        assertEquals(SelectStrategy.CONTINUE, at(t + 100, NOTHING_READY));
    }

    @Test
    void aCaughtAnswerResetsTheFruitlessCount() throws Exception {
        long t = 0;
        for (int i = 0; i < 3 * SpinThenBlockStrategy.FRUITLESS_LIMIT; i++) {
            io(t);
            if (i % 4 == 3) {
                assertEquals(1, at(t + 200, ONE_READY));
                io(t + 200);
            } else {
                assertEquals(SelectStrategy.CONTINUE, at(t + 100, NOTHING_READY), "long poll " + i);
            }
            assertEquals(SelectStrategy.SELECT, at(t + 600, NOTHING_READY));
            t += 10_000;
        }
    }

    @Test
    void withoutTheLongPollAWakingPacketGetsTheShortOne() throws Exception {
        SpinThenBlockStrategy shortOnly = new SpinThenBlockStrategy(50 * US, 0, () -> now, () -> yields++);
        shortOnly.activity(0);
        now = 40 * US;
        assertEquals(SelectStrategy.CONTINUE, shortOnly.calculateStrategy(NOTHING_READY, false));
        now = 60 * US;
        assertEquals(SelectStrategy.SELECT, shortOnly.calculateStrategy(NOTHING_READY, false));
    }

    @Test
    void noPollingAtAllWhenBothAreOff() throws Exception {
        SpinThenBlockStrategy off = new SpinThenBlockStrategy(0, 0, () -> now, () -> yields++);
        off.activity(0);
        now = 1;
        assertEquals(SelectStrategy.SELECT, off.calculateStrategy(NOTHING_READY, false));
    }

    @Test
    void pendingTasksAreRunAfterALookAtTheSockets() throws Exception {
        assertEquals(7, strategy.calculateStrategy(() -> 7, true));
    }
}
