package dev.braid.instance.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    private static final long WINDOW = ReplayWindow.WINDOW_SIZE;
    private static final long REJECT = WireGuardSpec.REJECT_AFTER_MESSAGES;

    @Test
    void windowIsTheKernelsAndWireGuardGos() {
        assertEquals(8192 - 64, WINDOW);
    }

    /**
     * The Linux driver's replay self-test (selftest/counter.c), as wireguard-go ported it, with the
     * real REJECT_AFTER_MESSAGES as the limit.
     */
    @Test
    void kernelSelfTestCases() {
        long lim = WINDOW + 1;
        Case c = new Case();
        c.t(0, true);
        c.t(1, true);
        c.t(1, false);
        c.t(9, true);
        c.t(8, true);
        c.t(7, true);
        c.t(7, false);
        c.t(lim, true);
        c.t(lim - 1, true);
        c.t(lim - 1, false);
        c.t(lim - 2, true);
        c.t(2, true);
        c.t(2, false);
        c.t(lim + 16, true);
        c.t(3, false);
        c.t(lim + 16, false);
        c.t(lim * 4, true);
        c.t(lim * 4 - (lim - 1), true);
        c.t(10, false);
        c.t(lim * 4 - lim, false);
        c.t(lim * 4 - (lim + 1), false);
        c.t(lim * 4 - (lim - 2), true);
        c.t(lim * 4 + 1 - lim, false);
        c.t(0, false);
        c.t(REJECT, false);
        c.t(REJECT - 1, true);
        c.t(REJECT, false);
        c.t(REJECT - 1, false);
        c.t(REJECT - 2, true);
        c.t(REJECT + 1, false);
        c.t(REJECT + 2, false);
        c.t(REJECT - 2, false);
        c.t(REJECT - 3, true);
        c.t(0, false);

        c = new Case();
        for (long i = 1; i <= WINDOW; i++) {
            c.t(i, true);
        }
        c.t(0, true);
        c.t(0, false);

        c = new Case();
        for (long i = 2; i <= WINDOW + 1; i++) {
            c.t(i, true);
        }
        c.t(1, true);
        c.t(0, false);

        c = new Case();
        for (long i = WINDOW + 1; i > 0; i--) {
            c.t(i, true);
        }

        c = new Case();
        for (long i = WINDOW + 2; i > 1; i--) {
            c.t(i, true);
        }
        c.t(0, false);

        c = new Case();
        for (long i = WINDOW; i > 0; i--) {
            c.t(i, true);
        }
        c.t(WINDOW + 1, true);
        c.t(0, false);

        c = new Case();
        for (long i = WINDOW; i > 0; i--) {
            c.t(i, true);
        }
        c.t(0, true);
        c.t(WINDOW + 1, true);
    }

    @Test
    void resetForgetsEverything() {
        ReplayWindow window = new ReplayWindow();
        window.validate(5);
        window.validate(100_000);
        window.reset();
        assertEquals(true, window.validate(5));
        assertEquals(true, window.validate(0));
    }

    /**
     * Random sequences — in order with gaps, reordered, duplicated, far jumps, and near the
     * REJECT_AFTER_MESSAGES limit — against a model that states the rule directly: accept a counter
     * iff it is below the limit, never accepted before, and at most WINDOW behind the greatest accepted.
     */
    @Test
    void agreesWithTheReferenceModelOnRandomSequences() {
        Random random = new Random(20240316);
        long checked = 0;
        for (int sequence = 0; sequence < 400; sequence++) {
            ReplayWindow window = new ReplayWindow();
            Model model = new Model();
            long base = switch (sequence % 4) {
                case 0, 1 -> 0;
                case 2 -> random.nextLong(1L << 40);
                default -> REJECT - 3 * WINDOW; // ends up crossing the limit
            };
            for (long counter : randomSequence(random, base, 3000)) {
                boolean expected = model.accept(counter);
                boolean actual = window.validate(counter);
                assertEquals(expected, actual, () -> "sequence from base " + Long.toUnsignedString(base)
                        + ": counter " + Long.toUnsignedString(counter));
                checked++;
            }
        }
        assertEquals(400 * 3000, checked);
    }

    private static List<Long> randomSequence(Random random, long base, int length) {
        List<Long> out = new ArrayList<>(length);
        long head = base;
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(100);
            long counter;
            if (kind < 40) {
                counter = head + random.nextInt(3); // mostly in order, small gaps
            } else if (kind < 65) {
                counter = head - random.nextInt((int) WINDOW + 200); // reordered, some just outside the window
            } else if (kind < 80 && !out.isEmpty()) {
                counter = out.get(random.nextInt(out.size())); // duplicate of something sent earlier
            } else if (kind < 90) {
                counter = head + 64 * random.nextInt(200) + random.nextInt(64); // jumps across blocks
            } else if (kind < 95) {
                counter = head + WINDOW - 64 + random.nextInt(192); // lands around the window edge
            } else {
                counter = head + (long) random.nextInt(1 << 20); // far jump: the whole ring clears
            }
            if (Long.compareUnsigned(counter, head) > 0 && Long.compareUnsigned(counter, head + (1L << 21)) < 0) {
                head = counter;
            }
            out.add(counter);
        }
        return out;
    }

    /** The obvious slow implementation: a set of everything accepted and the greatest counter. */
    private static final class Model {
        private final Set<Long> accepted = new HashSet<>();
        private long greatest;

        boolean accept(long counter) {
            if (Long.compareUnsigned(counter, REJECT) >= 0) {
                return false;
            }
            if (Long.compareUnsigned(counter, greatest) < 0 && Long.compareUnsigned(greatest - counter, WINDOW) > 0) {
                return false;
            }
            if (!accepted.add(counter)) {
                return false;
            }
            if (Long.compareUnsigned(counter, greatest) > 0) {
                greatest = counter;
            }
            return true;
        }
    }

    private static final class Case {
        private final ReplayWindow window = new ReplayWindow();
        private int number;

        void t(long counter, boolean expected) {
            number++;
            assertEquals(expected, window.validate(counter), "case " + number + ": counter " + Long.toUnsignedString(counter));
        }
    }
}
