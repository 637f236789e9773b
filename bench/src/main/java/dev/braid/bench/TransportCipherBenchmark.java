package dev.braid.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.braid.instance.protocol.BenchReplayAccess;
import dev.braid.instance.protocol.IntrinsicChaCha20Poly1305;
import dev.braid.instance.protocol.TransportCipher;
import dev.braid.instance.protocol.TransportHeader;

/**
 * The worker's per-packet crypto: {@link TransportCipher} sealing one packet read from the TUN and
 * opening one datagram from the peer, with either AEAD implementation, for a small (64), a medium
 * (512) and a full-MTU (1420) payload. Keys come from a real handshake; the MTU is Braid's 1420, so
 * the 1420-byte payload is not padded past it.
 * <p>
 * seal works in place on one buffer, as the worker does (payload at offset 16, header written into
 * the headroom); the bytes it encrypts are last operation's ciphertext, which costs the same.
 * open needs a fresh authentic message each time: a ring of {@value #RING_MESSAGES} messages sealed
 * in setup (counters 0..255) is copied one by one into the receive buffer — standing in for the
 * datagram arriving there — and opened in place, replay check included; after each lap the
 * receiver's replay window is reset so no open is refused as a replay. {@link #openInputCopy}
 * measures that copy alone. {@link ByteCounter#bytes} counts payload bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class TransportCipherBenchmark {
    static final int MTU_BYTES = 1420;
    static final int RING_MESSAGES = 256;
    static final long NOW_NANOS = 1_000_000_000L;

    @Param({"64", "512", "1420"})
    public int payloadBytes;

    /**
     * Which AEAD: the intrinsics without Cipher.init (what workers run) or the JDK's Cipher (the
     * fallback, and what Braid used before). bin/jmh passes the JVM options the first needs.
     */
    @Param({"jdk-intrinsics", "jdk-cipher"})
    public String aead;

    TransportCipher cipher;
    HandshakenKeypairs keys;
    int messageBytes;
    byte[] sealBuffer;
    byte[][] sealedRing;
    byte[] openBuffer;
    int ringIndex;

    @Setup(Level.Trial)
    public void setUp() {
        cipher = new TransportCipher(!"jdk-cipher".equals(aead));
        if (!cipher.implementation().equals(aead)) {
            throw new IllegalStateException("asked for " + aead + " but got " + cipher.implementation()
                    + ": " + IntrinsicChaCha20Poly1305.unavailableReason());
        }
        keys = new HandshakenKeypairs(0x6272616964L, NOW_NANOS);
        messageBytes = TransportCipher.sealedLength(payloadBytes, MTU_BYTES);
        Random random = new Random(payloadBytes);
        sealBuffer = new byte[messageBytes];
        random.nextBytes(sealBuffer);
        sealedRing = new byte[RING_MESSAGES][messageBytes];
        for (byte[] message : sealedRing) {
            random.nextBytes(message);
            int sealed = cipher.seal(keys.initiator, message, TransportHeader.LENGTH, payloadBytes, MTU_BYTES);
            if (sealed != messageBytes) {
                throw new IllegalStateException("sealing a " + payloadBytes + "-byte payload gave " + sealed
                        + ", expected a " + messageBytes + "-byte message");
            }
        }
        openBuffer = new byte[messageBytes];
        ringIndex = 0;
    }

    /** Send path: one packet from the TUN sealed in place; returns the message length. */
    @Benchmark
    public int seal(ByteCounter counter) {
        counter.bytes += payloadBytes;
        return cipher.seal(keys.initiator, sealBuffer, TransportHeader.LENGTH, payloadBytes, MTU_BYTES);
    }

    /** Receive path: one datagram copied into the receive buffer, then opened in place; returns the plaintext length. */
    @Benchmark
    public int open(ByteCounter counter) {
        System.arraycopy(sealedRing[ringIndex], 0, openBuffer, 0, messageBytes);
        if (++ringIndex == RING_MESSAGES) {
            ringIndex = 0;
            BenchReplayAccess.resetReplayWindow(keys.responder);
        }
        counter.bytes += payloadBytes;
        return cipher.open(keys.responder, openBuffer, 0, messageBytes, NOW_NANOS);
    }

    /** Baseline for {@link #open}: only its input copy (and ring walk), to tell the copy from the crypto. */
    @Benchmark
    public byte[] openInputCopy() {
        System.arraycopy(sealedRing[ringIndex], 0, openBuffer, 0, messageBytes);
        if (++ringIndex == RING_MESSAGES) {
            ringIndex = 0;
        }
        return openBuffer;
    }
}
