package dev.braid.instance.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Braid's handshake, transport and cookie bytes against the independent Python reference
 * (src/test/python/wireguard_vectors.py): same fixed keys, ephemerals, indices and clock, so every
 * byte on the wire and every derived key must match.
 */
class WireGuardVectorsTest {
    private static final long NOW_NANOS = 1_000_000_000_000L;

    @ParameterizedTest
    @ValueSource(strings = {"noPresharedKey", "presharedKey"})
    void handshakeTransportAndCookieBytesMatchTheReference(String name) {
        JsonNode v = Vectors.handshake(name);
        byte[] initiatorStatic = Vectors.hex(v, "initiatorStaticPrivate");
        byte[] responderStatic = Vectors.hex(v, "responderStaticPrivate");
        byte[] initiatorPublic = Vectors.hex(v, "initiatorStaticPublic");
        byte[] responderPublic = Vectors.hex(v, "responderStaticPublic");
        byte[] psk = Vectors.hex(v, "presharedKey");
        assertArrayEquals(initiatorPublic, WireGuardKeys.publicFromPrivate(initiatorStatic));
        assertArrayEquals(responderPublic, WireGuardKeys.publicFromPrivate(responderStatic));
        InstantSource clock = InstantSource.fixed(Instant.ofEpochSecond(v.get("unixSeconds").asLong(), v.get("nanos").asLong()));
        assertArrayEquals(Vectors.hex(v, "timestamp"), Tai64n.of(clock.instant()));

        ScriptedRandom initiatorRandom = new ScriptedRandom()
                .thenBytes(Vectors.hex(v, "initiatorEphemeralPrivate")).thenInts(v.get("initiatorIndex").asInt());
        ScriptedRandom responderRandom = new ScriptedRandom()
                .thenBytes(Vectors.hex(v, "responderEphemeralPrivate")).thenInts(v.get("responderIndex").asInt());
        NoiseHandshake initiator = new NoiseHandshake(initiatorStatic, responderPublic, psk, initiatorRandom, clock, i -> false);
        NoiseHandshake responder = new NoiseHandshake(responderStatic, initiatorPublic, psk, responderRandom, clock, i -> false);
        CookieGenerator initiatorMacs = new CookieGenerator(responderPublic);
        CookieGenerator responderMacs = new CookieGenerator(initiatorPublic);

        byte[] initiation = new byte[HandshakeInitiation.LENGTH];
        assertEquals(148, initiator.createInitiation(initiation, 0));
        initiatorMacs.addMacs(initiation, 0, initiation.length, NOW_NANOS);
        assertHex(Vectors.hex(v, "initiation"), initiation);

        CookieChecker responderChecker = new CookieChecker(responderPublic, new ScriptedRandom()
                .thenBytes(Vectors.hex(v, "cookieSecret")).thenBytes(Vectors.hex(v, "cookieNonce")));
        assertTrue(responderChecker.checkMac1(initiation, 0, initiation.length));
        assertNull(responder.consumeInitiation(initiation, 0, initiation.length, NOW_NANOS));
        byte[] response = new byte[HandshakeResponse.LENGTH];
        assertEquals(92, responder.createResponse(response, 0));
        responderMacs.addMacs(response, 0, response.length, NOW_NANOS);
        assertHex(Vectors.hex(v, "response"), response);

        assertTrue(new CookieChecker(initiatorPublic, new ScriptedRandom()).checkMac1(response, 0, response.length));
        assertNull(initiator.consumeResponse(response, 0, response.length));
        Keypair initiatorKeys = initiator.deriveKeypair(NOW_NANOS);
        Keypair responderKeys = responder.deriveKeypair(NOW_NANOS);
        assertHex(Vectors.hex(v, "initiatorSendKey"), initiatorKeys.sendKey.getEncoded());
        assertHex(Vectors.hex(v, "initiatorReceiveKey"), initiatorKeys.receiveKey.getEncoded());
        assertHex(Vectors.hex(v, "initiatorSendKey"), responderKeys.receiveKey.getEncoded());
        assertHex(Vectors.hex(v, "initiatorReceiveKey"), responderKeys.sendKey.getEncoded());
        assertEquals(v.get("responderIndex").asInt(), initiatorKeys.remoteIndex());
        assertEquals(v.get("initiatorIndex").asInt(), responderKeys.remoteIndex());
        assertTrue(initiatorKeys.isInitiator());
        assertTrue(!responderKeys.isInitiator());
        assertTrue(initiatorRandom.exhausted() && responderRandom.exhausted(), "each side used exactly one ephemeral and one index");

        // Transport data, initiator -> responder, sealed in place with 16 bytes of headroom.
        TransportCipher cipher = new TransportCipher();
        byte[] payload = Vectors.hex(v, "dataPayload");
        byte[] packet = new byte[256];
        System.arraycopy(payload, 0, packet, 16, payload.length);
        initiatorKeys.sendCounter = v.get("dataCounter").asLong();
        int sealed = cipher.seal(initiatorKeys, packet, 16, payload.length);
        assertHex(Vectors.hex(v, "dataPacket"), Arrays.copyOfRange(packet, 0, sealed));
        int opened = cipher.open(responderKeys, packet, 0, sealed, NOW_NANOS);
        assertEquals(32, opened, "20 bytes padded to 32");
        assertHex(payload, Arrays.copyOfRange(packet, 16, 16 + payload.length));

        // A keepalive, responder -> initiator.
        responderKeys.sendCounter = v.get("keepaliveCounter").asLong();
        byte[] keepalive = new byte[64];
        int keepaliveLength = cipher.seal(responderKeys, keepalive, 16, 0);
        assertHex(Vectors.hex(v, "keepalivePacket"), Arrays.copyOfRange(keepalive, 0, keepaliveLength));
        assertEquals(0, cipher.open(initiatorKeys, keepalive, 0, keepaliveLength, NOW_NANOS));

        // The responder, under load, answers the initiation with a cookie reply.
        byte[] source = Vectors.hex(v, "cookieSourceAddress");
        int port = v.get("cookieSourcePort").asInt();
        assertTrue(!responderChecker.checkMac2(initiation, 0, initiation.length, source, port, NOW_NANOS),
                "no cookie secret exists yet, so no mac2 can be valid");
        byte[] reply = new byte[CookieReply.LENGTH];
        assertEquals(64, responderChecker.createReply(initiation, 0, initiation.length, source, port, NOW_NANOS, reply, 0));
        assertHex(Vectors.hex(v, "cookieReply"), reply);

        // The initiator takes the cookie and its retry carries mac2.
        assertNull(initiatorMacs.consumeReply(reply, 0, reply.length, NOW_NANOS));
        byte[] retry = Arrays.copyOf(initiation, initiation.length);
        initiatorMacs.addMacs(retry, 0, retry.length, NOW_NANOS);
        assertHex(Vectors.hex(v, "initiationWithMac2"), retry);
        assertTrue(responderChecker.checkMac2(retry, 0, retry.length, source, port, NOW_NANOS));
    }

    @org.junit.jupiter.api.Test
    void primitivesMatchTheReference() {
        JsonNode p = Vectors.primitives();
        assertHex(Vectors.hex(p, "hchacha20Output"), HChaCha20.derive(Vectors.hex(p, "hchacha20Key"), Vectors.hex(p, "hchacha20Nonce")));
        assertHex(Vectors.hex(p, "hmacBlake2s"), Blake2s.hmac(Vectors.hex(p, "hmacKey"), Vectors.hex(p, "hmacData")));
        byte[][] kdf = Kdf.kdf3(Vectors.hex(p, "kdfKey"), Vectors.hex(p, "kdfInput"));
        for (int i = 0; i < 3; i++) {
            assertHex(HexFormat.of().parseHex(p.get("kdf3").get(i).asText()), kdf[i]);
        }
        assertHex(kdf[0], Kdf.kdf1(Vectors.hex(p, "kdfKey"), Vectors.hex(p, "kdfInput")));
        assertHex(kdf[1], Kdf.kdf2(Vectors.hex(p, "kdfKey"), Vectors.hex(p, "kdfInput"))[1]);
    }

    /** Hex comparison, so a failure shows where the bytes part. */
    static void assertHex(byte[] expected, byte[] actual) {
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(actual));
    }
}
