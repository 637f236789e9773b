package dev.braid.instance.protocol;

/**
 * The one package-private door the benchmarks need: the open benchmark replays a ring of sealed
 * messages, and each lap would otherwise be refused as replayed. Resetting the receiving keypair's
 * window between laps keeps every measured open on the accepting path, as in the worker. Lives in
 * the bench module only; production code has no way to reset a live keypair's window.
 */
public final class BenchReplayAccess {
    private BenchReplayAccess() {
    }

    public static void resetReplayWindow(Keypair keypair) {
        keypair.replayWindow.reset();
    }
}
