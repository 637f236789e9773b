package dev.braid.instance.fuzz;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.SplittableRandom;

import dev.braid.instance.protocol.CookieChecker;
import dev.braid.instance.protocol.CookieGenerator;
import dev.braid.instance.protocol.DropReason;
import dev.braid.instance.protocol.Keypair;
import dev.braid.instance.protocol.NoiseHandshake;
import dev.braid.instance.protocol.TransportCipher;
import dev.braid.instance.protocol.WireGuardSpec;

/**
 * Deterministic protocol objects for the message-level fuzz targets and their seeds: the handshake
 * of I (initiator) and R (responder) with {@link PeerPair}'s keys, done with the protocol classes
 * directly (no session), with seeded randomness and a fixed wall clock — so the initiation, the
 * response, the cookie reply and the keypairs are the same bytes on every run.
 */
final class ProtocolFixtures {
    static final long NOW_NANOS = PeerPair.START_NANOS;
    static final InstantSource WALL = InstantSource.fixed(Instant.ofEpochSecond(1_790_000_000L));

    private ProtocolFixtures() {
    }

    /** R's side of the handshake, fresh. */
    static NoiseHandshake responder() {
        return new NoiseHandshake(PeerPair.KEY_R, PeerPair.PUBLIC_I, null, new SplittableRandom(0x22), WALL, index -> false);
    }

    /** I with its initiation sent (mac1 for R; no mac2). */
    record Initiated(NoiseHandshake handshake, CookieGenerator cookies, byte[] initiation) {
    }

    static Initiated initiated() {
        NoiseHandshake handshake = new NoiseHandshake(PeerPair.KEY_I, PeerPair.PUBLIC_R, null, new SplittableRandom(0x11), WALL,
                index -> false);
        byte[] initiation = new byte[WireGuardSpec.INITIATION_BYTES];
        handshake.createInitiation(initiation, 0);
        CookieGenerator cookies = new CookieGenerator(PeerPair.PUBLIC_R);
        cookies.addMacs(initiation, 0, initiation.length, NOW_NANOS);
        return new Initiated(handshake, cookies, initiation);
    }

    /** R's response (mac1 for I) to {@code initiation}, from a fresh R. */
    static byte[] responseTo(byte[] initiation) {
        NoiseHandshake responder = responder();
        require(responder.consumeInitiation(initiation, 0, initiation.length, NOW_NANOS));
        byte[] response = new byte[WireGuardSpec.RESPONSE_BYTES];
        responder.createResponse(response, 0);
        new CookieGenerator(PeerPair.PUBLIC_I).addMacs(response, 0, response.length, NOW_NANOS);
        return response;
    }

    /**
     * The cookie reply the owner of {@code answeringPublicKey} sends, under load, to a handshake
     * message that came from {@code source}.
     */
    static byte[] cookieReplyTo(byte[] answeringPublicKey, byte[] message, InetSocketAddress source) {
        CookieChecker checker = new CookieChecker(answeringPublicKey, new SplittableRandom(0x33));
        byte[] reply = new byte[WireGuardSpec.COOKIE_REPLY_BYTES];
        checker.createReply(message, 0, message.length, source.getAddress().getAddress(), source.getPort(), NOW_NANOS, reply, 0);
        return reply;
    }

    /** Both ends' keypairs from one complete handshake. */
    record Keypairs(Keypair initiator, Keypair responder) {
    }

    static Keypairs keypairs() {
        Initiated initiated = initiated();
        NoiseHandshake responder = responder();
        require(responder.consumeInitiation(initiated.initiation(), 0, initiated.initiation().length, NOW_NANOS));
        byte[] response = new byte[WireGuardSpec.RESPONSE_BYTES];
        responder.createResponse(response, 0);
        Keypair responderKeypair = responder.deriveKeypair(NOW_NANOS);
        require(initiated.handshake().consumeResponse(response, 0, response.length));
        return new Keypairs(initiated.handshake().deriveKeypair(NOW_NANOS), responderKeypair);
    }

    /** A transport message carrying {@code payload}, sealed with the keypair's next counter. */
    static byte[] seal(TransportCipher cipher, Keypair keypair, byte[] payload) {
        byte[] buf = new byte[TransportCipher.sealedLength(payload.length, 0)];
        System.arraycopy(payload, 0, buf, 16, payload.length);
        int n = cipher.seal(keypair, buf, 16, payload.length);
        if (n != buf.length) {
            throw new IllegalStateException("sealed " + n + " bytes, expected " + buf.length);
        }
        return buf;
    }

    private static void require(DropReason refused) {
        if (refused != null) {
            throw new IllegalStateException("the fixture handshake failed: " + refused);
        }
    }
}
