package dev.braid.instance.protocol;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A wall clock the test moves by hand. */
final class FakeWallClock implements InstantSource {
    private Instant now;

    FakeWallClock(Instant start) {
        this.now = start;
    }

    @Override
    public Instant instant() {
        return now;
    }

    void advance(Duration by) {
        now = now.plus(by);
    }

    void set(Instant to) {
        now = to;
    }
}
