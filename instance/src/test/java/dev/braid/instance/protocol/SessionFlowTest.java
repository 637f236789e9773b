package dev.braid.instance.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * Two sites wired the way a worker would use the library (no I/O: messages are handed across by
 * the test): handshake, key confirmation by the first data message, and a rekey in the other
 * direction while packets sealed with the old keypair are still in flight.
 */
class SessionFlowTest {
    private static final long S = 1_000_000_000L;
    private static final byte[] PSK = new byte[32];

    private final Site a = new Site(21);
    private final Site b = new Site(22);
    private final TransportCipher cipherA = new TransportCipher();
    private final TransportCipher cipherB = new TransportCipher();

    SessionFlowTest() {
        PSK[5] = 5;
        a.peerWith(b, PSK);
        b.peerWith(a, PSK);
    }

    /** from initiates, to responds; both derive and install. */
    private void handshake(Site from, Site to, long now) {
        byte[] init = from.initiation(now);
        assertTrue(to.checker.checkMac1(init, 0, init.length));
        assertNull(to.handshake.consumeInitiation(init, 0, init.length, now));
        byte[] resp = to.response(now);
        to.keypairs.install(to.handshake.deriveKeypair(now));
        assertTrue(from.checker.checkMac1(resp, 0, resp.length));
        assertNull(from.handshake.consumeResponse(resp, 0, resp.length));
        from.keypairs.install(from.handshake.deriveKeypair(now));
    }

    private byte[] send(Site from, TransportCipher cipher, int payloadByte) {
        byte[] buf = new byte[64];
        buf[16] = (byte) payloadByte;
        int n = cipher.seal(from.keypairs.current(), buf, 16, 1);
        return java.util.Arrays.copyOf(buf, n);
    }

    /** The receive path: index → keypair, open, confirm; returns the keypair used. */
    private Keypair receive(Site to, TransportCipher cipher, byte[] message, long now, int expectedByte) {
        Keypair k = to.keypairs.forLocalIndex(TransportHeader.receiverIndex(message, 0));
        assertNotNull(k, "receiver index maps to a keypair");
        assertEquals(16, cipher.open(k, message, 0, message.length, now));
        assertEquals((byte) expectedByte, message[16]);
        to.keypairs.confirm(k);
        return k;
    }

    @Test
    void handshakeConfirmationAndRekeyWithPacketsInFlight() {
        long now = 100 * S;
        handshake(a, b, now);
        Keypair aFirst = a.keypairs.current();
        Keypair bFirst = b.keypairs.next();
        assertNotNull(aFirst);
        assertNull(b.keypairs.current(), "b cannot send before a's first message confirms the keypair");

        receive(b, cipherB, send(a, cipherA, 1), now, 1);
        assertSame(bFirst, b.keypairs.current(), "confirmed by the first data message");
        receive(a, cipherA, send(b, cipherB, 2), now, 2);

        // b rekeys (now as initiator) while a's packet sealed with the old keypair is still on its way.
        now += 130 * S;
        b.wallClock.advance(Duration.ofSeconds(130));
        byte[] inFlight = send(a, cipherA, 3);
        handshake(b, a, now);
        Keypair aSecond = a.keypairs.next();
        assertSame(aFirst, a.keypairs.current(), "a keeps sending on the confirmed keypair meanwhile");
        assertSame(bFirst, b.keypairs.previous());
        assertSame(bFirst, receive(b, cipherB, inFlight, now, 3), "the old keypair still opens packets in flight");

        // b's first message on the new keypair confirms it at a.
        receive(a, cipherA, send(b, cipherB, 4), now, 4);
        assertSame(aSecond, a.keypairs.current());
        assertSame(aFirst, a.keypairs.previous());
        receive(b, cipherB, send(a, cipherA, 5), now, 5);
        assertTrue(b.keypairs.current().isInitiator());
    }
}
