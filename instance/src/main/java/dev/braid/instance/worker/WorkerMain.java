package dev.braid.instance.worker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import dev.braid.instance.counters.Counter;
import dev.braid.instance.counters.CountersFile;
import dev.braid.instance.protocol.IntrinsicChaCha20Poly1305;
import dev.braid.instance.protocol.WireGuardKeys;
import dev.braid.instance.tun.TunDevice;
import dev.braid.instance.tun.TunException;

/**
 * `braid worker`: one tunnel worker process. Reads its flags and keys, opens its counters file and
 * TUN, then hands everything to the {@link TunnelLoop} and waits. Exit status 2 for bad flags or key
 * files (nothing has been touched then), 1 for failures while starting or running, 0 after SIGTERM.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args)));
    }

    public static int run(List<String> args) {
        WorkerConfig config;
        byte[] privateKey;
        byte[] peerKey;
        byte[] psk = null;
        try {
            config = WorkerConfig.parse(args);
            privateKey = WireGuardKeys.readKeyFile(config.privateKeyFile());
            peerKey = WireGuardKeys.fromBase64(config.peerPublicKey());
            if (config.presharedKeyFile().isPresent()) {
                psk = WireGuardKeys.readKeyFile(config.presharedKeyFile().get());
            }
        } catch (WorkerConfig.UsageException | WireGuardKeys.InvalidKeyText e) {
            System.err.println("braid worker: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("braid worker: " + e.getMessage());
            return 2;
        }
        Path countersPath = config.countersFile().orElse(Path.of("/run/braid/worker-" + config.tunName() + ".counters"));
        CountersFile counters;
        try {
            counters = CountersFile.create(countersPath, ProcessHandle.current().pid());
        } catch (IOException e) {
            System.err.println("braid worker: cannot create counters file " + countersPath + ": " + e.getMessage());
            return 1;
        }
        TunDevice tun;
        try {
            tun = TunDevice.open(config.tunName(), config.offloads());
            if (config.offloads()) {
                tun.enableOffloads();
            }
            tun.setMtu(config.mtuBytes());
        } catch (TunException | IllegalArgumentException e) {
            System.err.println("braid worker: " + e.getMessage());
            counters.close();
            return 1;
        }
        String slowAead = IntrinsicChaCha20Poly1305.unavailableReason();
        // published, so that a JDK update that quietly costs the fast path shows in status and /metrics
        counters.set(Counter.AEAD, slowAead == null ? Counter.AEAD_JDK_INTRINSICS : Counter.AEAD_JDK_CIPHER);
        if (slowAead != null) {
            // Still correct and interoperable, but ~1.8x the CPU per packet and ~2.2 KB of garbage.
            System.err.println("braid worker: warning: sealing with the JDK's Cipher, not its intrinsics: " + slowAead);
        }
        PeerSession session = new PeerSession(config, privateKey, peerKey, psk, counters);
        Arrays.fill(privateKey, (byte) 0);
        TunnelLoop loop = new TunnelLoop(config, tun, counters, session);
        StopSignals.install(loop::stop);
        Runtime.getRuntime().addShutdownHook(new Thread(loop::close, "braid-shutdown"));
        try {
            loop.start();
            loop.awaitTermination();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (Exception e) {
            System.err.println("braid worker: " + e);
            loop.close();
            return 1;
        }
    }
}
