package dev.braid.gateway.bench;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One thing the bench compares, built fresh for each run: the bare underlay, a stock wireguard-go
 * pair, Braid with K workers per site, or Braid with one worker measured over worker 0's /30 link
 * and over the floating addresses in the same lab (the floating-address penalty).
 */
public record Scenario(String name, Kind kind, int workers) {
    public enum Kind { UNDERLAY, WIREGUARD_GO, BRAID, FLOATING_PENALTY }

    public static final String UNDERLAY = "underlay";
    public static final String WIREGUARD_GO = "wireguard-go";
    public static final String FLOATING_PENALTY = "floating-penalty";

    public static Scenario underlay() {
        return new Scenario(UNDERLAY, Kind.UNDERLAY, 0);
    }

    public static Scenario wireguardGo() {
        return new Scenario(WIREGUARD_GO, Kind.WIREGUARD_GO, 0);
    }

    public static Scenario braid(int workers) {
        return new Scenario("braid-" + workers, Kind.BRAID, workers);
    }

    public static Scenario floatingPenalty() {
        return new Scenario(FLOATING_PENALTY, Kind.FLOATING_PENALTY, 1);
    }

    /** Builds this scenario's lab in {@code dir}; the caller closes it. */
    BenchLab build(Path dir) throws IOException {
        return switch (kind) {
            case UNDERLAY -> UnderlayLab.build("ul");
            case WIREGUARD_GO -> WireGuardGoLab.build(dir);
            case BRAID -> BraidLab.build(dir, workers, false);
            case FLOATING_PENALTY -> BraidLab.build(dir, 1, true);
        };
    }

    /** How many routes the lab measures (each route's steps run one after another). */
    int routeCount() {
        return kind == Kind.FLOATING_PENALTY ? 2 : 1;
    }
}
