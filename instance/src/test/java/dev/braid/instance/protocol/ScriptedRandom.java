package dev.braid.instance.protocol;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.random.RandomGenerator;

/**
 * A RandomGenerator that hands out exactly the byte strings and ints a test queued, in order, and
 * fails loudly when code asks for something not scripted — so a test also proves how much
 * randomness the code under test consumes and where.
 */
final class ScriptedRandom implements RandomGenerator {
    private final Deque<byte[]> bytes = new ArrayDeque<>();
    private final Deque<Integer> ints = new ArrayDeque<>();
    private final Deque<Long> longs = new ArrayDeque<>();

    ScriptedRandom thenBytes(byte[] next) {
        bytes.add(next.clone());
        return this;
    }

    ScriptedRandom thenInts(int... next) {
        for (int i : next) {
            ints.add(i);
        }
        return this;
    }

    ScriptedRandom thenLongs(long... next) {
        for (long l : next) {
            longs.add(l);
        }
        return this;
    }

    boolean exhausted() {
        return bytes.isEmpty() && ints.isEmpty() && longs.isEmpty();
    }

    @Override
    public void nextBytes(byte[] out) {
        byte[] next = bytes.poll();
        if (next == null) {
            throw new AssertionError("unscripted nextBytes(" + out.length + ")");
        }
        if (next.length != out.length) {
            throw new AssertionError("scripted " + next.length + " bytes but " + out.length + " were asked for");
        }
        System.arraycopy(next, 0, out, 0, out.length);
    }

    @Override
    public int nextInt() {
        Integer next = ints.poll();
        if (next == null) {
            throw new AssertionError("unscripted nextInt()");
        }
        return next;
    }

    @Override
    public long nextLong(long bound) {
        Long next = longs.poll();
        if (next == null) {
            throw new AssertionError("unscripted nextLong(" + bound + ")");
        }
        if (next < 0 || next >= bound) {
            throw new AssertionError("scripted " + next + " is outside [0, " + bound + ")");
        }
        return next;
    }

    @Override
    public long nextLong() {
        throw new AssertionError("unscripted nextLong()");
    }
}
