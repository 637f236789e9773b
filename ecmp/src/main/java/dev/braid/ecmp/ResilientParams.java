package dev.braid.ecmp;

import java.time.Duration;
import java.util.Objects;

/**
 * Parameters of a resilient nexthop group (Linux 5.13+, Documentation/networking/nexthop-group-resilient.rst).
 * The group hashes each flow to one of {@code buckets} buckets; each bucket points at one member.
 *
 * <ul>
 *   <li>When a member is removed, only its buckets get new members (checked on the kernel): flows on
 *       the other paths do not move.</li>
 *   <li>When a member is added, it receives buckets that have been idle (no packet) for
 *       {@code idleTimer}; busy buckets stay where they are. "Busy" is what the kernel sees at
 *       route lookups: a forwarded packet marks its bucket, but a connected socket on the router
 *       itself caches its route and looks the group up only at connect, so its bucket reads idle
 *       and its flow can move to the returning member (in the lab: under four 20 Mbit/s TCP flows
 *       from the site's own namespace every bucket read idle for seconds; the same flows between
 *       LAN hosts kept their four buckets busy).</li>
 *   <li>{@code unbalancedTimer}: after the group has been unbalanced that long, busy buckets are
 *       moved too. Zero means never: a busy flow is never moved to rebalance.</li>
 * </ul>
 *
 * <p>{@link #DEFAULT}: a dead path's removal moves only its own flows (the kernel does that for any
 * setting); a returning path first picks up buckets idle for 1 s (nothing in flight moves), and if
 * busy flows keep the group unbalanced for 10 s, the kernel moves some of them over so the path's
 * capacity comes back (a moved flow sees a moment of reordering, not a loss). 256 buckets: each of up
 * to 16 paths gets 16 buckets, so shares differ by at most ~6%. The kernel's own defaults are 128
 * buckets, 120 s, 0 (never rebalance busy flows).
 *
 * @param buckets         number of buckets, 1..65535, at least the number of members; fixed for
 *                        the life of the group (the kernel refuses to change it on replace)
 * @param idleTimer       0 .. ~497 days, in 10 ms steps
 * @param unbalancedTimer 0 (never) .. ~497 days, in 10 ms steps
 */
public record ResilientParams(int buckets, Duration idleTimer, Duration unbalancedTimer) {
    public static final ResilientParams DEFAULT =
            new ResilientParams(256, Duration.ofSeconds(1), Duration.ofSeconds(10));

    private static final long MAX_CLOCK_T = 0xffff_ffffL;

    public ResilientParams {
        Objects.requireNonNull(idleTimer, "idleTimer");
        Objects.requireNonNull(unbalancedTimer, "unbalancedTimer");
        if (buckets < 1 || buckets > 0xffff) {
            throw new IllegalArgumentException("resilient group buckets must be 1..65535, got " + buckets);
        }
        check("idle timer", idleTimer);
        check("unbalanced timer", unbalancedTimer);
    }

    private static void check(String what, Duration d) {
        if (d.isNegative() || d.toMillis() / 10 > MAX_CLOCK_T) {
            throw new IllegalArgumentException(what + " out of range: " + d);
        }
    }

    /** In the kernel's clock_t (USER_HZ = 100 ticks per second). */
    int idleTimerClockTicks() {
        return (int) (idleTimer.toMillis() / (1000 / Rtnl.USER_HZ));
    }

    int unbalancedTimerClockTicks() {
        return (int) (unbalancedTimer.toMillis() / (1000 / Rtnl.USER_HZ));
    }

    static Duration fromClockTicks(long ticks) {
        return Duration.ofMillis(ticks * (1000 / Rtnl.USER_HZ));
    }

    @Override
    public String toString() {
        return "buckets " + buckets + " idle_timer " + idleTimer.toMillis() / 1000.0 + "s unbalanced_timer "
                + unbalancedTimer.toMillis() / 1000.0 + "s";
    }
}
