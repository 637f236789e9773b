package dev.braid.ecmp;

import java.util.List;
import java.util.Map;

/**
 * What {@link SiteRouting#programRoutes} or {@link SiteRouting#setLivePaths} did to the group.
 *
 * @param outcome         see {@link Outcome}
 * @param members         the group's IPv4 member nexthop ids after the call (as requested and usable)
 * @param skipped         requested ids left out, with the reason (typically "t2 has no carrier")
 * @param routesInstalled routes (re)installed by this call; empty on the fast path
 * @param elapsedNanos    time spent in the call
 * @param message         one line for the log
 */
public record GroupUpdate(Outcome outcome, List<Integer> members, Map<Integer, String> skipped,
                          List<IpPrefix> routesInstalled, long elapsedNanos, String message) {

    public enum Outcome {
        /** Fast path: the existing group's member list was replaced (one netlink request per family). */
        MEMBERS_REPLACED,
        /** The group was created or fully set again, and the routes (re)installed. */
        GROUP_SET,
        /**
         * No usable path: every destination has an {@code unreachable} route (fail closed and fast)
         * until a live set with a usable path puts the group routes back.
         */
        UNREACHABLE,
        /** Routes are not programmed yet: the live set is remembered for {@link SiteRouting#programRoutes}. */
        DEFERRED
    }

    public GroupUpdate {
        members = List.copyOf(members);
        skipped = Map.copyOf(skipped);
        routesInstalled = List.copyOf(routesInstalled);
    }

    @Override
    public String toString() {
        return message;
    }
}
