package dev.braid.ecmp.lab;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waiting for a condition in lab code and tests: every wait has a deadline. */
public final class Await {
    private Await() {
    }

    /** Polls {@code condition} every 20 ms until it holds or the deadline passes; returns whether it held. */
    public static boolean until(Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Netns.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
