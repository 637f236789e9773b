package dev.braid.instance.protocol;

import java.time.Instant;
import java.util.Random;

/**
 * One end of a test tunnel with everything a worker would hold for its one peer: static key,
 * handshake, macs, cookies, keypairs. Seeded randomness and a hand-moved wall clock keep it
 * deterministic.
 */
final class Site {
    final byte[] staticPrivate;
    final byte[] staticPublic;
    final Random random;
    final FakeWallClock wallClock;
    NoiseHandshake handshake;
    CookieGenerator macs;
    CookieChecker checker;
    final KeypairSet keypairs = new KeypairSet();

    Site(long seed) {
        random = new Random(seed);
        staticPrivate = WireGuardKeys.generatePrivate(new java.security.SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                random.nextBytes(bytes);
            }
        });
        staticPublic = WireGuardKeys.publicFromPrivate(staticPrivate);
        wallClock = new FakeWallClock(Instant.ofEpochSecond(1_700_000_000L));
    }

    /** Configures this site's one peer. */
    Site peerWith(Site peer, byte[] presharedKey) {
        handshake = new NoiseHandshake(staticPrivate, peer.staticPublic, presharedKey, random, wallClock, keypairs::isLocalIndexInUse);
        macs = new CookieGenerator(peer.staticPublic);
        checker = new CookieChecker(staticPublic, random);
        return this;
    }

    byte[] initiation(long nowNanos) {
        byte[] m = new byte[HandshakeInitiation.LENGTH];
        handshake.createInitiation(m, 0);
        macs.addMacs(m, 0, m.length, nowNanos);
        return m;
    }

    byte[] response(long nowNanos) {
        byte[] m = new byte[HandshakeResponse.LENGTH];
        handshake.createResponse(m, 0);
        macs.addMacs(m, 0, m.length, nowNanos);
        return m;
    }
}
