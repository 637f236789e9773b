package dev.braid.bench;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Random;

import dev.braid.instance.protocol.DropReason;
import dev.braid.instance.protocol.HandshakeInitiation;
import dev.braid.instance.protocol.HandshakeResponse;
import dev.braid.instance.protocol.Keypair;
import dev.braid.instance.protocol.NoiseHandshake;
import dev.braid.instance.protocol.WireGuardKeys;

/**
 * A matching pair of transport keypairs made the way the worker makes them: a full Noise_IKpsk2
 * handshake between two {@link NoiseHandshake}s (initiation → response → derive), through the public
 * API only. Seeded, so every benchmark run uses the same keys and indices.
 */
final class HandshakenKeypairs {
    final Keypair initiator;
    final Keypair responder;

    HandshakenKeypairs(long seed, long nowNanos) {
        Random random = new Random(seed);
        byte[] initiatorPrivate = privateKey(random);
        byte[] responderPrivate = privateKey(random);
        InstantSource clock = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));
        NoiseHandshake a = new NoiseHandshake(initiatorPrivate, WireGuardKeys.publicFromPrivate(responderPrivate),
                null, random, clock, index -> false);
        NoiseHandshake b = new NoiseHandshake(responderPrivate, WireGuardKeys.publicFromPrivate(initiatorPrivate),
                null, random, clock, index -> false);

        byte[] initiation = new byte[HandshakeInitiation.LENGTH];
        a.createInitiation(initiation, 0);
        require(b.consumeInitiation(initiation, 0, initiation.length, nowNanos), "initiation");
        byte[] response = new byte[HandshakeResponse.LENGTH];
        b.createResponse(response, 0);
        require(a.consumeResponse(response, 0, response.length), "response");
        initiator = a.deriveKeypair(nowNanos);
        responder = b.deriveKeypair(nowNanos);
    }

    private static byte[] privateKey(Random random) {
        byte[] key = new byte[WireGuardKeys.KEY_BYTES];
        random.nextBytes(key);
        WireGuardKeys.clamp(key);
        return key;
    }

    private static void require(DropReason dropped, String what) {
        if (dropped != null) {
            throw new IllegalStateException("the benchmark handshake's " + what + " was refused: " + dropped);
        }
    }
}
