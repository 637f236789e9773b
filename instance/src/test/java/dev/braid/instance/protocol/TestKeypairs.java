package dev.braid.instance.protocol;

import java.util.Random;

/** Matching keypairs for both ends without a handshake, for transport-level tests. */
final class TestKeypairs {
    final Keypair initiator;
    final Keypair responder;

    TestKeypairs(long seed, long createdNanos) {
        Random random = new Random(seed);
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        random.nextBytes(a);
        random.nextBytes(b);
        int initiatorIndex = random.nextInt();
        int responderIndex = random.nextInt();
        initiator = new Keypair(a, b, initiatorIndex, responderIndex, true, createdNanos);
        responder = new Keypair(b, a, responderIndex, initiatorIndex, false, createdNanos);
    }
}
