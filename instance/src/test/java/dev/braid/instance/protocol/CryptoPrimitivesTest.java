package dev.braid.instance.protocol;

import static dev.braid.instance.protocol.WireGuardVectorsTest.assertHex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;

import org.bouncycastle.crypto.modes.XChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

class CryptoPrimitivesTest {
    private static final HexFormat HEX = HexFormat.of();

    /** draft-irtf-cfrg-xchacha-03 §2.2.1. */
    @Test
    void hchacha20MatchesTheDraftVector() {
        byte[] key = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] input = HEX.parseHex("000000090000004a0000000031415927");
        assertHex(HEX.parseHex("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc"), HChaCha20.derive(key, input));
    }

    /** draft-irtf-cfrg-xchacha-03 §A.3.1 (AEAD_XChaCha20_Poly1305). */
    @Test
    void xchacha20Poly1305MatchesTheDraftVector() {
        byte[] key = HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        byte[] nonce = HEX.parseHex("404142434445464748494a4b4c4d4e4f5051525354555657");
        byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
        byte[] plaintext = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future,"
                + " sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
        byte[] sealed = new byte[plaintext.length + 16];
        assertEquals(sealed.length, XChaChaPoly.seal(key, nonce, plaintext, 0, plaintext.length, aad, sealed, 0));
        assertEquals("bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
                + "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
                + "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
                + "21f9664c97637da9768812f615c68b13b52e" + "c0875924c1c7987947deafd8780acf49", HEX.formatHex(sealed));
        byte[] opened = new byte[plaintext.length];
        assertTrue(XChaChaPoly.open(key, nonce, sealed, 0, sealed.length, aad, opened, 0));
        assertArrayEquals(plaintext, opened);
        sealed[7] ^= 1;
        assertFalse(XChaChaPoly.open(key, nonce, sealed, 0, sealed.length, aad, opened, 0));
    }

    /** Our HChaCha20 + JDK construction agrees with Bouncy Castle's XChaCha20Poly1305 on random inputs. */
    @Test
    void xchachaAgreesWithBouncyCastle() throws Exception {
        Random random = new Random(6479);
        for (int round = 0; round < 200; round++) {
            byte[] key = new byte[32];
            byte[] nonce = new byte[24];
            byte[] aad = new byte[random.nextInt(40)];
            byte[] plaintext = new byte[random.nextInt(100)];
            random.nextBytes(key);
            random.nextBytes(nonce);
            random.nextBytes(aad);
            random.nextBytes(plaintext);
            byte[] ours = new byte[plaintext.length + 16];
            XChaChaPoly.seal(key, nonce, plaintext, 0, plaintext.length, aad, ours, 0);

            XChaCha20Poly1305 bc = new XChaCha20Poly1305();
            bc.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
            byte[] theirs = new byte[bc.getOutputSize(plaintext.length)];
            int n = bc.processBytes(plaintext, 0, plaintext.length, theirs, 0);
            bc.doFinal(theirs, n);
            assertArrayEquals(theirs, ours, "round " + round);
        }
    }

    @Test
    void tai64nIsWireGuardGoFormatWithWhitenedNanoseconds() {
        byte[] stamp = Tai64n.of(Instant.ofEpochSecond(1, 0x0FFF_FFFF));
        // seconds: 2^62 + 10 + 1, big-endian; nanoseconds 0x0FFFFFFF with the low 24 bits cleared.
        assertEquals("400000000000000b" + "0f000000", HEX.formatHex(stamp));
    }

    @Test
    void tai64nOrdersByTimeAtWhitenedResolution() {
        Instant t = Instant.ofEpochSecond(1_700_000_000, 0);
        byte[] base = Tai64n.of(t);
        assertFalse(Tai64n.isAfter(Tai64n.of(t.plusNanos(0xFFFFFF)), base), "within one whitened step: equal");
        assertTrue(Tai64n.isAfter(Tai64n.of(t.plusNanos(0x1000000)), base), "the next step is later");
        assertTrue(Tai64n.isAfter(Tai64n.of(t.plusSeconds(1)), Tai64n.of(t.plusNanos(999_999_999))));
        assertFalse(Tai64n.isAfter(base, base));
        assertFalse(Tai64n.isAfter(Tai64n.of(t.minusSeconds(1)), base));
        // Seconds dominate even when the nanosecond bytes would compare the other way.
        assertTrue(Tai64n.isAfter(Tai64n.of(t.plusSeconds(1)), Tai64n.of(t.plusNanos(0xF0000000L % 1_000_000_000))));
    }

    @Test
    void mac1KeyIsTheLabelHashOfThePublicKey() {
        byte[] pub = new byte[32];
        pub[0] = 9;
        byte[] expected = Blake2s.hash("mac1----".getBytes(StandardCharsets.US_ASCII), pub);
        assertArrayEquals(expected, Blake2s.hashLabel(WireGuardSpec.LABEL_MAC1, pub));
        assertEquals(16, Blake2s.mac(expected, new byte[5]).length);
    }

    @Test
    void specConstantsAreWireGuardGos() {
        assertEquals(Long.toUnsignedString(WireGuardSpec.REJECT_AFTER_MESSAGES),
                java.math.BigInteger.TWO.pow(64).subtract(java.math.BigInteger.TWO.pow(13)).subtract(java.math.BigInteger.ONE).toString());
        assertEquals(18, WireGuardSpec.MAX_TIMER_HANDSHAKES);
        assertEquals(20_000_000L, WireGuardSpec.HANDSHAKE_INITIATION_RATE_NANOS);
        // The flyweights' field offsets tile each message exactly.
        assertEquals(HandshakeInitiation.LENGTH, HandshakeInitiation.MAC2 + WireGuardSpec.MAC_BYTES);
        assertEquals(HandshakeInitiation.MAC1, HandshakeInitiation.TIMESTAMP + HandshakeInitiation.TIMESTAMP_SEALED_BYTES);
        assertEquals(HandshakeResponse.LENGTH, HandshakeResponse.MAC2 + WireGuardSpec.MAC_BYTES);
        assertEquals(HandshakeResponse.MAC1, HandshakeResponse.EMPTY + WireGuardSpec.TAG_BYTES);
        assertEquals(CookieReply.LENGTH, CookieReply.COOKIE + CookieReply.COOKIE_SEALED_BYTES);
    }

    @Test
    void dropReasonCodesAreDistinctNegativeAndRoundTrip() {
        Set<Integer> codes = new HashSet<>();
        Set<String> labels = new HashSet<>();
        for (DropReason reason : DropReason.values()) {
            assertTrue(reason.code() < 0);
            assertTrue(codes.add(reason.code()));
            assertTrue(labels.add(reason.label()));
            assertTrue(reason.label().matches("[a-z][a-z0-9_]*"), reason.label());
            assertEquals(reason, DropReason.ofCode(reason.code()));
        }
        assertEquals("replayed_counter", DropReason.REPLAYED_COUNTER.label());
        assertThrows(IllegalArgumentException.class, () -> DropReason.ofCode(0));
        assertThrows(IllegalArgumentException.class, () -> DropReason.ofCode(5));
    }
}
