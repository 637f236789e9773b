package dev.braid.instance.worker;

import sun.misc.Signal;

/**
 * Routes SIGTERM and SIGINT to an orderly stop. Without a handler the JVM runs its shutdown hooks
 * and exits with status 143/130, which service managers and scripts read as "killed"; a Braid
 * process that was asked to stop and cleaned up exits 0. (sun.misc.Signal lives in the
 * jdk.unsupported module, the supported home of this API.)
 */
public final class StopSignals {
    private StopSignals() {
    }

    public static void install(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> stop.run());
        }
    }
}
