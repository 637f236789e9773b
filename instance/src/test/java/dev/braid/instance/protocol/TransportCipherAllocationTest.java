package dev.braid.instance.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

/**
 * Measures (and prints) what sealing and opening allocate per packet, for both AEAD implementations.
 * The intrinsics path ({@link IntrinsicChaCha20Poly1305}, what workers run) must allocate nothing
 * once warm. The JDK Cipher fallback allocates ~2.2 KB per packet, which Braid cannot remove there:
 * {@code Cipher.init} takes a fresh IvParameterSpec for every nonce, and each init builds a new
 * Poly1305 authenticator whose field arithmetic allocates (JFR on JDK 25.0.3: about 80% of the bytes
 * are Poly1305 state and intpoly elements, ~10% the IvParameterSpec and its getIV() copy, ~8%
 * SecretKeySpec copies); for it the only assertion is that allocation does not grow with the payload
 * size, which would mean something now copies packets. Not a timing test: it counts the bytes this
 * thread allocates.
 */
class TransportCipherAllocationTest {
    private static final int BATCH = 1_000;
    private static final int WARMUP_BATCHES = 40;
    private static final int MEASURED_BATCHES = 100;
    private static final long T0 = 1_000L;

    @Test
    void theIntrinsicsAllocateNothingPerPacket() {
        double[] perPacket = bytesAllocatedPerPacket(true);
        for (double bytes : perPacket) {
            assertTrue(bytes < 1.0, "seal+open allocates " + bytes + " bytes per packet with the intrinsics");
        }
    }

    @Test
    void theCipherFallbackDoesNotCopyPackets() {
        double[] perPacket = bytesAllocatedPerPacket(false);
        assertTrue(perPacket[2] - perPacket[0] < 700,
                "seal+open of a 1420-byte payload allocates " + (perPacket[2] - perPacket[0])
                        + " bytes more than of an empty one: something copies packets now");
    }

    /** Seal + open bytes per packet for payloads of 0, 64 and 1420 bytes (all 0 if counting is unsupported). */
    private static double[] bytesAllocatedPerPacket(boolean intrinsics) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isThreadAllocatedMemorySupported()) {
            System.out.println("[allocation] thread allocation counting unsupported on this JVM; skipped");
            return new double[3];
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        int[] sizes = {0, 64, 1420};
        double[] perPacket = new double[sizes.length];
        for (int s = 0; s < sizes.length; s++) {
            int payloadBytes = sizes[s];
            TransportCipher cipher = new TransportCipher(intrinsics);
            assertEquals(intrinsics ? "jdk-intrinsics" : "jdk-cipher", cipher.implementation());
            TestKeypairs keys = new TestKeypairs(payloadBytes, T0);
            int messageBytes = TransportCipher.sealedLength(payloadBytes, 0);
            byte[][] batch = new byte[BATCH][messageBytes];
            int[] lengths = new int[BATCH];
            long sealBytes = 0;
            long openBytes = 0;
            for (int round = 0; round < WARMUP_BATCHES + MEASURED_BATCHES; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < BATCH; i++) {
                    lengths[i] = cipher.seal(keys.initiator, batch[i], 16, payloadBytes);
                }
                long sealed = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < BATCH; i++) {
                    int opened = cipher.open(keys.responder, batch[i], 0, lengths[i], T0);
                    if (opened < 0) {
                        throw new AssertionError("open failed: " + DropReason.ofCode(opened));
                    }
                }
                long openedAt = threads.getCurrentThreadAllocatedBytes();
                if (round >= WARMUP_BATCHES) {
                    sealBytes += sealed - before;
                    openBytes += openedAt - sealed;
                }
            }
            assertEquals(messageBytes, lengths[0]);
            double packets = (double) BATCH * MEASURED_BATCHES;
            double sealPerPacket = sealBytes / packets;
            double openPerPacket = openBytes / packets;
            System.out.printf("[allocation] %s, %4d-byte payload: seal %.1f bytes/packet, open %.1f bytes/packet (JDK %s)%n",
                    cipher.implementation(), payloadBytes, sealPerPacket, openPerPacket, Runtime.version());
            perPacket[s] = sealPerPacket + openPerPacket;
        }
        return perPacket;
    }
}
