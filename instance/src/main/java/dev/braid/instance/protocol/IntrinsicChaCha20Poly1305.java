package dev.braid.instance.protocol;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439, empty associated data, WireGuard's 64-bit counter nonce) sealed and
 * opened in place, on the JDK's own ChaCha20 and Poly1305 stubs but without {@code Cipher.init}.
 * <p>
 * Why: the JDK's AEAD takes a nonce only through {@code Cipher.init}, and init makes the cipher
 * generate a 1024-byte keystream twice (once for the Poly1305 key, of which it uses 32 bytes, once
 * for the data), copy the key and allocate ~2.2 KB — about 0.75 µs of a 1.4 µs full-MTU seal, per
 * packet (BENCHMARKS.md, JMH). The per-packet work here is what the algorithm needs, nothing more.
 * <p>
 * How data flows through one seal: the 8 key words ({@link Keypair}) and the nonce go into
 * {@link #state}; the ChaCha20 block stub at counter 0 fills {@link #keyStream} with as many blocks
 * as the CPU makes at once (16 with AVX-512, 1 while the caller still runs interpreted). Block 0 is
 * the one-time Poly1305 key: r, clamped, is written as 26-bit limbs into the r of a JDK Poly1305
 * object that lives as long as this one, s is kept as two longs. The remaining blocks XOR the
 * payload in place, further stub calls making more. The Poly1305 stub then runs over the ciphertext
 * where it lies and over one or two scratch blocks (the zero-padded tail, the lengths); the
 * accumulator is reduced mod 2^130 − 5 here, s is added, and the tag goes after the ciphertext.
 * {@link #open} computes and compares the tag (constant time) first and decrypts only if it
 * matches. Nothing is allocated per call.
 * <p>
 * The entry points are JDK-internal ({@code com.sun.crypto.provider.ChaCha20Cipher
 * .implChaCha20Block}, {@code Poly1305.processMultipleBlocks}); they are the methods HotSpot replaces
 * with its intrinsics, so calling them through constant method handles gets the same code the
 * JDK's cipher runs. Reaching them needs {@link #JVM_OPTIONS}. {@link #unavailableReason()} says
 * why not when they cannot be bound or when a self-test against {@link Cipher} disagrees;
 * {@link TransportCipher} then uses the JDK's Cipher. The Java fallback of the Poly1305 method works
 * on the object's own accumulator and r, not on the arrays passed, so the arrays used here are that
 * object's own limb arrays: interpreted, C1 and C2 code compute the same thing.
 * Not thread-safe: one per worker thread.
 */
public final class IntrinsicChaCha20Poly1305 {
    /** What a JVM needs on its command line for this class to bind (the packages it opens). */
    public static final List<String> JVM_OPTIONS = List.of(
            "--add-opens=java.base/com.sun.crypto.provider=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.util.math=ALL-UNNAMED");

    public static final int KEY_BYTES = 32;
    public static final int TAG_BYTES = 16;
    private static final int BLOCK_BYTES = 64;
    /** The stub writes up to 16 blocks: the JDK sizes its keystream buffer the same. */
    private static final int KEYSTREAM_BYTES = 1024;
    private static final long LIMB_MASK = (1L << 26) - 1;

    private final int[] state = new int[16];
    private final byte[] keyStream = new byte[KEYSTREAM_BYTES];
    private final byte[] tail = new byte[32];
    private final byte[] tag = new byte[TAG_BYTES];
    private final Object poly1305;
    private final long[] accumulator;
    private final long[] r;
    private long sLow;
    private long sHigh;

    private IntrinsicChaCha20Poly1305(Object poly1305, long[] accumulator, long[] r) {
        this.poly1305 = poly1305;
        this.accumulator = accumulator;
        this.r = r;
        state[0] = 0x61707865;
        state[1] = 0x3320646e;
        state[2] = 0x79622d32;
        state[3] = 0x6b206574;
    }

    /** A new instance, or null if the JDK entry points are not reachable (see {@link #unavailableReason()}). */
    public static IntrinsicChaCha20Poly1305 createOrNull() {
        return Binding.FAILURE == null ? newInstance() : null;
    }

    /** Null when this class works in this JVM; otherwise what stops it, in a sentence. */
    public static String unavailableReason() {
        return Binding.FAILURE;
    }

    /** The 8 little-endian words of a 32-byte key, as {@link #seal} and {@link #open} take it. */
    public static int[] keyWords(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a ChaCha20 key is 32 bytes, not " + key.length);
        }
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ByteOrderAccess.getIntLE(key, 4 * i);
        }
        return words;
    }

    /**
     * Encrypts buf[offset, +length) in place under the key and nonce (4 zero bytes, then the
     * little-endian counter) and writes the 16-byte tag at {@code offset + length}.
     */
    public void seal(int[] keyWords, long counter, byte[] buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length + TAG_BYTES, buf.length);
        int available = startMessage(keyWords, counter);
        xorKeyStream(buf, offset, length, available);
        computeTag(buf, offset, length);
        System.arraycopy(tag, 0, buf, offset + length, TAG_BYTES);
    }

    /**
     * Checks the tag at {@code offset + length} over buf[offset, +length) and, if it is right,
     * decrypts that range in place. Returns false (buf untouched) if the tag is wrong.
     */
    public boolean open(int[] keyWords, long counter, byte[] buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length + TAG_BYTES, buf.length);
        int available = startMessage(keyWords, counter);
        computeTag(buf, offset, length);
        if (!ByteOrderAccess.constantTimeEquals(tag, 0, buf, offset + length, TAG_BYTES)) {
            return false;
        }
        xorKeyStream(buf, offset, length, available);
        return true;
    }

    /** Sets the state for a message, makes the first keystream blocks and the Poly1305 key; returns the bytes made. */
    private int startMessage(int[] keyWords, long counter) {
        System.arraycopy(keyWords, 0, state, 4, 8);
        state[12] = 0;
        state[13] = 0;
        state[14] = (int) counter;
        state[15] = (int) (counter >>> 32);
        int made = chaCha20Blocks(state, keyStream);
        long rLow = ByteOrderAccess.getLongLE(keyStream, 0) & 0x0ffffffc0fffffffL;
        long rHigh = ByteOrderAccess.getLongLE(keyStream, 8) & 0x0ffffffc0ffffffcL;
        r[0] = rLow & LIMB_MASK;
        r[1] = (rLow >>> 26) & LIMB_MASK;
        r[2] = (rLow >>> 52) | ((rHigh & 0x3fffL) << 12);
        r[3] = (rHigh >>> 14) & LIMB_MASK;
        r[4] = rHigh >>> 40;
        sLow = ByteOrderAccess.getLongLE(keyStream, 16);
        sHigh = ByteOrderAccess.getLongLE(keyStream, 24);
        return made;
    }

    /** XORs buf[offset, +length) with the keystream from block 1 on; {@code available} bytes are in {@link #keyStream}. */
    private void xorKeyStream(byte[] buf, int offset, int length, int available) {
        int ksOffset = BLOCK_BYTES;
        int nextBlock = available / BLOCK_BYTES;
        while (length > 0) {
            if (ksOffset == available) {
                state[12] = nextBlock;
                available = chaCha20Blocks(state, keyStream);
                nextBlock += available / BLOCK_BYTES;
                ksOffset = 0;
            }
            int n = Math.min(length, available - ksOffset);
            xor(keyStream, ksOffset, buf, offset, n);
            ksOffset += n;
            offset += n;
            length -= n;
        }
    }

    private static void xor(byte[] ks, int ksOffset, byte[] buf, int offset, int length) {
        while (length >= 8) {
            ByteOrderAccess.putLongLE(buf, offset, ByteOrderAccess.getLongLE(buf, offset) ^ ByteOrderAccess.getLongLE(ks, ksOffset));
            ksOffset += 8;
            offset += 8;
            length -= 8;
        }
        while (length > 0) {
            buf[offset] ^= ks[ksOffset];
            ksOffset++;
            offset++;
            length--;
        }
    }

    /** Poly1305 over ciphertext ‖ zero pad to 16 ‖ le64(0) ‖ le64(length), into {@link #tag}. */
    private void computeTag(byte[] buf, int offset, int length) {
        Arrays.fill(accumulator, 0L);
        int whole = length & ~15;
        poly1305Blocks(poly1305, buf, offset, whole, accumulator, r);
        int rest = length - whole;
        int tailBytes = 16;
        if (rest > 0) {
            System.arraycopy(buf, offset + whole, tail, 0, rest);
            Arrays.fill(tail, rest, 16, (byte) 0);
            tailBytes = 32;
        }
        ByteOrderAccess.putLongLE(tail, tailBytes - 16, 0L);
        ByteOrderAccess.putLongLE(tail, tailBytes - 8, length);
        poly1305Blocks(poly1305, tail, 0, tailBytes, accumulator, r);
        finish(accumulator, sLow, sHigh, tag);
    }

    /**
     * tag = ((a mod 2^130 − 5) + s) mod 2^128, with a given as 5 limbs of nominally 26 bits, which
     * the JDK's code may leave over-full or (its carries are signed) negative.
     */
    static void finish(long[] a, long sLow, long sHigh, byte[] out) {
        long h0 = a[0];
        long h1 = a[1];
        long h2 = a[2];
        long h3 = a[3];
        long h4 = a[4];
        // Four carry passes bring every limb into [0, 2^26) for limbs up to ±2^58: the first folds a
        // carry of up to ~2^33 into h0 (2^130 ≡ 5), the second leaves one of at most ±1, the third can
        // still ripple one through limbs that were all ones (or all zeros), the fourth none.
        for (int pass = 0; pass < 4; pass++) {
            long c = h0 >> 26;
            h0 &= LIMB_MASK;
            h1 += c;
            c = h1 >> 26;
            h1 &= LIMB_MASK;
            h2 += c;
            c = h2 >> 26;
            h2 &= LIMB_MASK;
            h3 += c;
            c = h3 >> 26;
            h3 &= LIMB_MASK;
            h4 += c;
            c = h4 >> 26;
            h4 &= LIMB_MASK;
            h0 += c * 5;
        }
        // h < 2^130 now; subtract p once if h ≥ p, choosing by mask rather than by branch.
        long g0 = h0 + 5;
        long c = g0 >> 26;
        g0 &= LIMB_MASK;
        long g1 = h1 + c;
        c = g1 >> 26;
        g1 &= LIMB_MASK;
        long g2 = h2 + c;
        c = g2 >> 26;
        g2 &= LIMB_MASK;
        long g3 = h3 + c;
        c = g3 >> 26;
        g3 &= LIMB_MASK;
        long g4 = h4 + c - (1L << 26);
        long useG = ~(g4 >> 63);
        h0 = (h0 & ~useG) | (g0 & useG);
        h1 = (h1 & ~useG) | (g1 & useG);
        h2 = (h2 & ~useG) | (g2 & useG);
        h3 = (h3 & ~useG) | (g3 & useG);
        h4 = (h4 & ~useG) | (g4 & useG);
        long low = h0 | (h1 << 26) | (h2 << 52);
        long high = (h2 >>> 12) | (h3 << 14) | (h4 << 40);
        long sumLow = low + sLow;
        long carry = Long.compareUnsigned(sumLow, low) < 0 ? 1 : 0;
        ByteOrderAccess.putLongLE(out, 0, sumLow);
        ByteOrderAccess.putLongLE(out, 8, high + sHigh + carry);
    }

    private static int chaCha20Blocks(int[] state, byte[] keyStream) {
        try {
            return (int) Binding.CHACHA20_BLOCK.invokeExact(state, keyStream);
        } catch (Throwable t) {
            throw new IllegalStateException("the JDK's ChaCha20 block function failed", t);
        }
    }

    private static void poly1305Blocks(Object poly1305, byte[] input, int offset, int length, long[] a, long[] r) {
        try {
            Binding.POLY1305_BLOCKS.invokeExact(poly1305, input, offset, length, a, r);
        } catch (Throwable t) {
            throw new IllegalStateException("the JDK's Poly1305 block function failed", t);
        }
    }

    private static IntrinsicChaCha20Poly1305 newInstance() {
        try {
            Object poly = Binding.POLY1305_NEW.invoke();
            // Any non-zero key: it only makes the object create its accumulator and r, whose limb
            // arrays are then rewritten per message.
            byte[] setupKey = new byte[KEY_BYTES];
            Arrays.fill(setupKey, (byte) 1);
            Binding.POLY1305_INIT.invoke(poly, new SecretKeySpec(setupKey, "Poly1305"), (AlgorithmParameterSpec) null);
            long[] a = (long[]) Binding.LIMBS.invoke(Binding.POLY1305_A.invoke(poly));
            long[] r = (long[]) Binding.LIMBS.invoke(Binding.POLY1305_R.invoke(poly));
            if (a.length != 5 || r.length != 5) {
                throw new IllegalStateException("the JDK's Poly1305 has " + a.length + " limbs, not 5");
            }
            return new IntrinsicChaCha20Poly1305(poly, a, r);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("could not set up the JDK's Poly1305", t);
        }
    }

    /** The JDK entry points, bound once per JVM, and a self-test against the JDK's Cipher. */
    private static final class Binding {
        static final MethodHandle CHACHA20_BLOCK;
        static final MethodHandle POLY1305_BLOCKS;
        static final MethodHandle POLY1305_NEW;
        static final MethodHandle POLY1305_INIT;
        static final MethodHandle POLY1305_A;
        static final MethodHandle POLY1305_R;
        static final MethodHandle LIMBS;
        static final String FAILURE;

        static {
            MethodHandle block = null;
            MethodHandle blocks = null;
            MethodHandle create = null;
            MethodHandle init = null;
            MethodHandle getA = null;
            MethodHandle getR = null;
            MethodHandle limbs = null;
            String failure = null;
            try {
                Class<?> chacha = Class.forName("com.sun.crypto.provider.ChaCha20Cipher");
                Class<?> poly = Class.forName("com.sun.crypto.provider.Poly1305");
                Class<?> element = Class.forName("sun.security.util.math.IntegerModuloP");
                Class<?> mutable = Class.forName("sun.security.util.math.MutableIntegerModuloP");
                MethodHandles.Lookup chachaLookup = MethodHandles.privateLookupIn(chacha, MethodHandles.lookup());
                MethodHandles.Lookup polyLookup = MethodHandles.privateLookupIn(poly, MethodHandles.lookup());
                block = chachaLookup.findStatic(chacha, "implChaCha20Block",
                        MethodType.methodType(int.class, int[].class, byte[].class));
                blocks = polyLookup.findVirtual(poly, "processMultipleBlocks",
                        MethodType.methodType(void.class, byte[].class, int.class, int.class, long[].class, long[].class))
                        .asType(MethodType.methodType(void.class, Object.class, byte[].class, int.class, int.class,
                                long[].class, long[].class));
                create = polyLookup.findConstructor(poly, MethodType.methodType(void.class));
                init = polyLookup.findVirtual(poly, "engineInit",
                        MethodType.methodType(void.class, java.security.Key.class, AlgorithmParameterSpec.class));
                getA = polyLookup.findGetter(poly, "a", mutable);
                getR = polyLookup.findGetter(poly, "r", element);
                Method getLimbs = element.getMethod("getLimbs");
                limbs = MethodHandles.privateLookupIn(element, MethodHandles.lookup()).unreflect(getLimbs);
            } catch (ReflectiveOperationException | IllegalAccessError | SecurityException | IllegalArgumentException e) {
                failure = "the JDK's ChaCha20 and Poly1305 entry points are not reachable (" + e
                        + "); the JVM needs " + String.join(" ", JVM_OPTIONS);
            }
            CHACHA20_BLOCK = block;
            POLY1305_BLOCKS = blocks;
            POLY1305_NEW = create;
            POLY1305_INIT = init;
            POLY1305_A = getA;
            POLY1305_R = getR;
            LIMBS = limbs;
            FAILURE = failure == null ? selfTest() : failure;
        }

        /** Seals messages of several lengths both ways and compares; null if all agree. */
        private static String selfTest() {
            try {
                IntrinsicChaCha20Poly1305 aead = newInstance();
                byte[] key = new byte[KEY_BYTES];
                for (int i = 0; i < key.length; i++) {
                    key[i] = (byte) (i * 7 + 3);
                }
                int[] words = keyWords(key);
                Cipher cipher = Cipher.getInstance(ChaChaPoly.ALGORITHM);
                byte[] nonce = new byte[ChaChaPoly.NONCE_BYTES];
                int[] lengths = {0, 1, 15, 16, 17, 63, 64, 65, 959, 960, 1023, 1024, 1420, 2049};
                for (int n = 0; n < lengths.length; n++) {
                    int length = lengths[n];
                    long counter = 0x0102030405060708L * (n + 1);
                    byte[] plain = new byte[length];
                    for (int i = 0; i < length; i++) {
                        plain[i] = (byte) (i * 31 + n);
                    }
                    ByteOrderAccess.putLongLE(nonce, 4, counter);
                    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, ChaChaPoly.ALGORITHM), new IvParameterSpec(nonce));
                    byte[] expected = cipher.doFinal(plain);
                    byte[] buf = Arrays.copyOf(plain, length + TAG_BYTES);
                    aead.seal(words, counter, buf, 0, length);
                    if (!Arrays.equals(buf, expected)) {
                        return "the self-test sealed a " + length + "-byte message differently from the JDK's Cipher";
                    }
                    if (!aead.open(words, counter, buf, 0, length) || !Arrays.equals(Arrays.copyOf(buf, length), plain)) {
                        return "the self-test could not open a " + length + "-byte message it sealed";
                    }
                }
                return null;
            } catch (Exception e) {
                return "the self-test against the JDK's Cipher failed: " + e;
            }
        }
    }
}
