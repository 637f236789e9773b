package dev.braid.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.braid.instance.protocol.IntrinsicChaCha20Poly1305;

/**
 * Which ChaCha20-Poly1305 to seal transport packets with: {@link IntrinsicChaCha20Poly1305} (what
 * the worker uses: the JDK's ChaCha20 and Poly1305 intrinsics, called without Cipher.init), the
 * JDK's Cipher (the same intrinsics behind a {@code Cipher.init} per packet for the new nonce; the
 * fallback) and Bouncy Castle's lightweight {@link ChaCha20Poly1305} (plain Java, re-keyed per packet
 * with no provider layer). All seal {@code payloadBytes} in place with a fresh nonce each operation,
 * the way WireGuard numbers its packets. BENCHMARKS.md, "Per-packet code", has the figures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AeadImplementationBenchmark {
    private static final int TAG_BYTES = 16;

    @Param({"64", "1420"})
    public int payloadBytes;

    private final byte[] key = new byte[32];
    private final byte[] nonce = new byte[12];
    private byte[] buffer;
    private long counter;

    private IntrinsicChaCha20Poly1305 intrinsics;
    private int[] keyWords;
    private Cipher jdk;
    private SecretKeySpec jdkKey;
    private ChaCha20Poly1305 bc;
    private KeyParameter bcKey;

    @Setup
    public void setUp() throws Exception {
        Random random = new Random(7);
        random.nextBytes(key);
        buffer = new byte[payloadBytes + TAG_BYTES];
        random.nextBytes(buffer);
        intrinsics = IntrinsicChaCha20Poly1305.createOrNull();
        if (intrinsics == null) {
            throw new IllegalStateException(IntrinsicChaCha20Poly1305.unavailableReason());
        }
        keyWords = IntrinsicChaCha20Poly1305.keyWords(key);
        jdk = Cipher.getInstance("ChaCha20-Poly1305");
        jdkKey = new SecretKeySpec(key, "ChaCha20");
        bc = new ChaCha20Poly1305();
        bcKey = new KeyParameter(key);
    }

    /** The buffer sealed in place (for the smoke test). */
    byte[] buffer() {
        return buffer;
    }

    private void nextNonce() {
        long c = ++counter;
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (c >>> (8 * i));
        }
    }

    @Benchmark
    public byte[] intrinsicsSeal() {
        intrinsics.seal(keyWords, ++counter, buffer, 0, payloadBytes);
        return buffer;
    }

    @Benchmark
    public int jdkSeal() throws Exception {
        nextNonce();
        jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new IvParameterSpec(nonce));
        return jdk.doFinal(buffer, 0, payloadBytes, buffer, 0);
    }

    @Benchmark
    public int bouncyCastleSeal() throws Exception {
        nextNonce();
        bc.init(true, new AEADParameters(bcKey, 128, nonce));
        int n = bc.processBytes(buffer, 0, payloadBytes, buffer, 0);
        return n + bc.doFinal(buffer, n);
    }
}
