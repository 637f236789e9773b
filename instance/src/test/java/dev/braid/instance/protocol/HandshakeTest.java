package dev.braid.instance.protocol;

import static dev.braid.instance.protocol.WireGuardVectorsTest.assertHex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class HandshakeTest {
    private static final long T0 = 10_000_000_000L;
    private static final long MS = 1_000_000L;

    private static Site[] pair(byte[] psk) {
        Site a = new Site(1);
        Site b = new Site(2);
        a.peerWith(b, psk);
        b.peerWith(a, psk);
        return new Site[] {a, b};
    }

    /** Runs a full handshake a → b; returns {a's keypair, b's keypair}. */
    private static Keypair[] handshake(Site a, Site b, long now) {
        byte[] init = a.initiation(now);
        assertTrue(b.checker.checkMac1(init, 0, init.length));
        assertNull(b.handshake.consumeInitiation(init, 0, init.length, now));
        byte[] resp = b.response(now);
        assertTrue(a.checker.checkMac1(resp, 0, resp.length));
        assertNull(a.handshake.consumeResponse(resp, 0, resp.length));
        return new Keypair[] {a.handshake.deriveKeypair(now), b.handshake.deriveKeypair(now)};
    }

    @Test
    void roundTripWithAndWithoutPresharedKeyGivesMatchingKeys() {
        for (byte[] psk : new byte[][] {null, new byte[32], filled(32, 7)}) {
            Site[] s = pair(psk);
            Keypair[] k = handshake(s[0], s[1], T0);
            assertArrayEquals(k[0].sendKey.getEncoded(), k[1].receiveKey.getEncoded());
            assertArrayEquals(k[0].receiveKey.getEncoded(), k[1].sendKey.getEncoded());
            assertFalse(Arrays.equals(k[0].sendKey.getEncoded(), k[0].receiveKey.getEncoded()));
            assertEquals(k[0].localIndex(), k[1].remoteIndex());
            assertEquals(k[1].localIndex(), k[0].remoteIndex());
            assertTrue(k[0].isInitiator());
            assertFalse(k[1].isInitiator());
            assertEquals(T0, k[0].createdNanos());

            TransportCipher cipher = new TransportCipher();
            byte[] buf = new byte[80];
            buf[16] = 42;
            int n = cipher.seal(k[0], buf, 16, 1);
            assertEquals(16, cipher.open(k[1], buf, 0, n, T0));
            assertEquals(42, buf[16]);
            assertFalse(s[0].handshake.hasLocalIndex(), "the index moved to the keypair");
        }
    }

    @Test
    void noPresharedKeyIsTheAllZeroKey() {
        Site a = new Site(1);
        Site b = new Site(2);
        a.peerWith(b, null);
        b.peerWith(a, new byte[32]);
        Keypair[] k = handshake(a, b, T0);
        assertArrayEquals(k[0].sendKey.getEncoded(), k[1].receiveKey.getEncoded());
    }

    @Test
    void mismatchedPresharedKeysFailAtTheResponse() {
        Site a = new Site(1);
        Site b = new Site(2);
        a.peerWith(b, filled(32, 1));
        b.peerWith(a, filled(32, 2));
        byte[] init = a.initiation(T0);
        assertNull(b.handshake.consumeInitiation(init, 0, init.length, T0), "the PSK is mixed in only after the initiation");
        byte[] resp = b.response(T0);
        assertEquals(DropReason.DECRYPT_FAILED, a.handshake.consumeResponse(resp, 0, resp.length));
        assertTrue(a.handshake.isAwaitingResponse(), "a failed response leaves the initiation outstanding");
    }

    /**
     * Every bit of an initiation up to mac1, flipped: mac1 catches all of them. Then the same flips
     * with mac1 recomputed (anyone who knows the responder's public key can): each field fails with
     * its own reason — except the sender index, which only mac1 protects (WireGuard's design: a
     * wrong index just misdirects the response, which the initiator then drops).
     */
    @Test
    void everyFlippedBitInAnInitiationIsRejected() {
        Site[] s = pair(null);
        byte[] original = s[0].initiation(T0);
        CookieGenerator attackerMacs = new CookieGenerator(s[1].staticPublic);
        for (int bit = 0; bit < HandshakeInitiation.MAC1 * 8; bit++) {
            byte[] m = original.clone();
            m[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(s[1].checker.checkMac1(m, 0, m.length), "bit " + bit);

            attackerMacs.addMacs(m, 0, m.length, T0);
            assertTrue(s[1].checker.checkMac1(m, 0, m.length));
            Site responder = new Site(2).peerWith(s[0], null);
            DropReason reason = responder.handshake.consumeInitiation(m, 0, m.length, T0);
            int at = bit / 8;
            if (at < HandshakeInitiation.SENDER) {
                assertEquals(DropReason.UNKNOWN_MESSAGE_TYPE, reason, "bit " + bit);
            } else if (at < HandshakeInitiation.EPHEMERAL) {
                assertNull(reason, "bit " + bit);
            } else if (at < HandshakeInitiation.STATIC) {
                assertTrue(reason == DropReason.DECRYPT_FAILED || reason == DropReason.BAD_PUBLIC_KEY, "bit " + bit + ": " + reason);
            } else {
                assertEquals(DropReason.DECRYPT_FAILED, reason, "bit " + bit);
            }
        }
        for (int at : new int[] {HandshakeInitiation.MAC1, HandshakeInitiation.MAC1 + 15}) {
            byte[] m = original.clone();
            m[at] ^= 1;
            assertFalse(s[1].checker.checkMac1(m, 0, m.length));
        }
        assertNull(s[1].handshake.consumeInitiation(original, 0, original.length, T0), "the original still works");
    }

    @Test
    void everyFlippedBitInAResponseIsRejected() {
        Site[] s = pair(filled(32, 3));
        byte[] init = s[0].initiation(T0);
        assertNull(s[1].handshake.consumeInitiation(init, 0, init.length, T0));
        byte[] original = s[1].response(T0);
        CookieGenerator attackerMacs = new CookieGenerator(s[0].staticPublic);
        for (int bit = 0; bit < HandshakeResponse.MAC1 * 8; bit++) {
            byte[] m = original.clone();
            m[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(s[0].checker.checkMac1(m, 0, m.length), "bit " + bit);
            attackerMacs.addMacs(m, 0, m.length, T0);
            int at = bit / 8;
            DropReason reason = s[0].handshake.consumeResponse(m, 0, m.length);
            if (at < HandshakeResponse.SENDER) {
                assertEquals(DropReason.UNKNOWN_MESSAGE_TYPE, reason, "bit " + bit);
            } else if (at < HandshakeResponse.RECEIVER) {
                // Only mac1 covers the sender index; accepting it would consume our handshake, so
                // check it on a copy of the exchange instead.
                assertNull(reason, "bit " + bit);
                s = replayExchange(original, init);
            } else if (at < HandshakeResponse.EPHEMERAL) {
                assertEquals(DropReason.UNKNOWN_RECEIVER_INDEX, reason, "bit " + bit);
            } else if (at < HandshakeResponse.EMPTY) {
                assertTrue(reason == DropReason.DECRYPT_FAILED || reason == DropReason.BAD_PUBLIC_KEY, "bit " + bit + ": " + reason);
            } else {
                assertEquals(DropReason.DECRYPT_FAILED, reason, "bit " + bit);
            }
        }
        assertNull(s[0].handshake.consumeResponse(original, 0, original.length), "the original still works");
    }

    /** Rebuilds the same deterministic pair in the state "initiation sent, response received". */
    private static Site[] replayExchange(byte[] expectedResponse, byte[] expectedInit) {
        Site[] s = pair(filled(32, 3));
        byte[] init = s[0].initiation(T0);
        assertArrayEquals(expectedInit, init);
        assertNull(s[1].handshake.consumeInitiation(init, 0, init.length, T0));
        assertArrayEquals(expectedResponse, s[1].response(T0));
        return s;
    }

    @Test
    void anInitiationFromAStaticKeyThatIsNotOurPeerIsUnknownPeer() {
        Site a = new Site(1);
        Site b = new Site(2);
        Site stranger = new Site(3);
        b.peerWith(a, null);
        stranger.peerWith(b, null);
        byte[] init = stranger.initiation(T0);
        assertTrue(b.checker.checkMac1(init, 0, init.length), "mac1 only proves knowledge of b's public key");
        assertEquals(DropReason.UNKNOWN_PEER, b.handshake.consumeInitiation(init, 0, init.length, T0));
    }

    @Test
    void anInitiationForAnotherResponderFailsToDecrypt() {
        Site a = new Site(1);
        Site b = new Site(2);
        Site c = new Site(3);
        a.peerWith(c, null); // a thinks it talks to c
        b.peerWith(a, null);
        byte[] init = a.initiation(T0);
        assertFalse(b.checker.checkMac1(init, 0, init.length));
        assertEquals(DropReason.DECRYPT_FAILED, b.handshake.consumeInitiation(init, 0, init.length, T0));
    }

    @Test
    void replayedAndOlderTimestampsAreStale() {
        Site[] s = pair(null);
        Site a = s[0];
        Site b = s[1];
        byte[] first = a.initiation(T0);
        assertNull(b.handshake.consumeInitiation(first, 0, first.length, T0));
        long later = T0 + 1_000 * MS;
        assertEquals(DropReason.STALE_TIMESTAMP, b.handshake.consumeInitiation(first, 0, first.length, later), "the same initiation again");

        a.wallClock.advance(Duration.ofMillis(10)); // within the same whitened 16.8 ms step
        a.wallClock.set(a.wallClock.instant().minusNanos(a.wallClock.instant().getNano() % 0x1000000));
        byte[] sameStep = a.initiation(later);
        Instant stamp = a.wallClock.instant();
        assertEquals(DropReason.STALE_TIMESTAMP, b.handshake.consumeInitiation(sameStep, 0, sameStep.length, later),
                "equal whitened timestamps are not newer (stamp " + stamp + ")");

        a.wallClock.advance(Duration.ofSeconds(-5)); // the initiator's clock stepped back
        byte[] older = a.initiation(later);
        assertEquals(DropReason.STALE_TIMESTAMP, b.handshake.consumeInitiation(older, 0, older.length, later));

        a.wallClock.advance(Duration.ofSeconds(10));
        byte[] newer = a.initiation(later);
        assertNull(b.handshake.consumeInitiation(newer, 0, newer.length, later));
    }

    @Test
    void initiationsAreRateLimitedTo50PerSecondPerPeer() {
        Site[] s = pair(null);
        Site a = s[0];
        Site b = s[1];
        byte[] first = a.initiation(T0);
        assertNull(b.handshake.consumeInitiation(first, 0, first.length, T0));

        a.wallClock.advance(Duration.ofSeconds(1));
        byte[] second = a.initiation(T0);
        assertEquals(DropReason.RATE_LIMITED, b.handshake.consumeInitiation(second, 0, second.length, T0 + 20 * MS));
        assertEquals(DropReason.RATE_LIMITED, b.handshake.consumeInitiation(second, 0, second.length, T0 + 20 * MS),
                "a rate-limited initiation does not restart the interval, and is not consumed");
        assertNull(b.handshake.consumeInitiation(second, 0, second.length, T0 + 20 * MS + 1));
    }

    @Test
    void lowOrderPointsAreRefused() {
        byte[] zero = new byte[32];
        byte[] one = new byte[32];
        one[0] = 1;
        Site a = new Site(1);
        for (byte[] bad : new byte[][] {zero, one}) {
            assertThrows(IllegalArgumentException.class,
                    () -> new NoiseHandshake(a.staticPrivate, bad, null, a.random, a.wallClock, i -> false));
        }
        Site[] s = pair(null);
        byte[] init = s[0].initiation(T0);
        System.arraycopy(zero, 0, init, HandshakeInitiation.EPHEMERAL, 32);
        s[0].macs.addMacs(init, 0, init.length, T0);
        assertEquals(DropReason.BAD_PUBLIC_KEY, s[1].handshake.consumeInitiation(init, 0, init.length, T0));
    }

    @Test
    void keysOfTheWrongSizeAreRefusedWithAMessage() {
        Site a = new Site(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NoiseHandshake(a.staticPrivate, new byte[31], null, a.random, a.wallClock, i -> false));
        assertTrue(e.getMessage().contains("peer public key"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new NoiseHandshake(a.staticPrivate, a.staticPublic, new byte[16], a.random, a.wallClock, i -> false));
    }

    @Test
    void wrongLengthsAreBadLength() {
        Site[] s = pair(null);
        byte[] init = s[0].initiation(T0);
        assertEquals(DropReason.BAD_LENGTH, s[1].handshake.consumeInitiation(init, 0, init.length - 1, T0));
        byte[] longer = Arrays.copyOf(init, init.length + 1);
        assertEquals(DropReason.BAD_LENGTH, s[1].handshake.consumeInitiation(longer, 0, longer.length, T0));
        assertEquals(DropReason.BAD_LENGTH, s[0].handshake.consumeResponse(new byte[91], 0, 91));
    }

    @Test
    void aResponseToAReplacedOrCompletedInitiationIsUnknown() {
        Site[] s = pair(null);
        Site a = s[0];
        Site b = s[1];
        byte[] first = a.initiation(T0);
        a.wallClock.advance(Duration.ofSeconds(1));
        byte[] second = a.initiation(T0 + 5_000 * MS); // replaces the first
        assertNull(b.handshake.consumeInitiation(first, 0, first.length, T0));
        byte[] responseToFirst = b.response(T0);
        assertEquals(DropReason.UNKNOWN_RECEIVER_INDEX, a.handshake.consumeResponse(responseToFirst, 0, responseToFirst.length));

        assertNull(b.handshake.consumeInitiation(second, 0, second.length, T0 + 5_000 * MS));
        byte[] responseToSecond = b.response(T0);
        assertNull(a.handshake.consumeResponse(responseToSecond, 0, responseToSecond.length));
        a.handshake.deriveKeypair(T0);
        assertEquals(DropReason.UNKNOWN_RECEIVER_INDEX, a.handshake.consumeResponse(responseToSecond, 0, responseToSecond.length),
                "a duplicate response after the keypair was derived");
    }

    @Test
    void consumingThePeersInitiationAbandonsOurs() {
        Site[] s = pair(null);
        Site a = s[0];
        Site b = s[1];
        byte[] fromA = a.initiation(T0);
        byte[] fromB = b.initiation(T0);
        assertNull(a.handshake.consumeInitiation(fromB, 0, fromB.length, T0));
        assertNull(b.handshake.consumeInitiation(fromA, 0, fromA.length, T0));
        byte[] responseFromB = b.response(T0);
        assertEquals(DropReason.UNKNOWN_RECEIVER_INDEX, a.handshake.consumeResponse(responseFromB, 0, responseFromB.length));
    }

    @Test
    void operationsOutOfOrderAreProgrammingErrors() {
        Site[] s = pair(null);
        assertThrows(IllegalStateException.class, () -> s[1].handshake.createResponse(new byte[92], 0));
        assertThrows(IllegalStateException.class, () -> s[0].handshake.deriveKeypair(T0));
        s[0].initiation(T0);
        assertThrows(IllegalStateException.class, () -> s[0].handshake.deriveKeypair(T0));
        assertThrows(IllegalArgumentException.class, () -> s[0].handshake.createInitiation(new byte[147], 0));
    }

    @Test
    void senderIndicesAvoidIndicesStillInUse() {
        Site b = new Site(2);
        ScriptedRandom random = new ScriptedRandom().thenBytes(filled(32, 9)).thenInts(7, 7, 8);
        NoiseHandshake h = new NoiseHandshake(new Site(1).staticPrivate, b.staticPublic, null, random,
                InstantSource.fixed(Instant.EPOCH), index -> index == 7);
        byte[] init = new byte[148];
        h.createInitiation(init, 0);
        assertEquals(8, new HandshakeInitiation().wrap(init, 0).senderIndex());
        assertEquals(8, h.localIndex());
        assertTrue(random.exhausted());
    }

    @Test
    void initiationsAtOtherOffsetsInALargerBuffer() {
        Site[] s = pair(null);
        byte[] buf = new byte[400];
        Arrays.fill(buf, (byte) 0x77);
        s[0].handshake.createInitiation(buf, 100);
        s[0].macs.addMacs(buf, 100, 148, T0);
        assertTrue(s[1].checker.checkMac1(buf, 100, 148));
        assertNull(s[1].handshake.consumeInitiation(buf, 100, 148, T0));
        assertEquals(0x77, buf[99]);
        assertEquals(0x77, buf[248]);
        byte[] out = new byte[300];
        s[1].handshake.createResponse(out, 33);
        s[1].macs.addMacs(out, 33, 92, T0);
        assertNull(s[0].handshake.consumeResponse(out, 33, 92));
        assertHex(s[0].handshake.deriveKeypair(T0).sendKey.getEncoded(), s[1].handshake.deriveKeypair(T0).receiveKey.getEncoded());
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
