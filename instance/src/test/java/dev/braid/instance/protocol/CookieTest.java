package dev.braid.instance.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** mac1, mac2 and cookie replies between an initiator and a responder that is under load. */
class CookieTest {
    private static final long T0 = 50_000_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final byte[] SOURCE = {(byte) 198, 51, 100, 7};
    private static final int PORT = 40_000;

    private final Site initiator = new Site(11);
    private final Site responder = new Site(12);

    CookieTest() {
        initiator.peerWith(responder, null);
        responder.peerWith(initiator, null);
    }

    private byte[] reply(byte[] message, long now) {
        byte[] reply = new byte[CookieReply.LENGTH];
        assertEquals(64, responder.checker.createReply(message, 0, message.length, SOURCE, PORT, now, reply, 0));
        return reply;
    }

    @Test
    void underLoadTheInitiatorEarnsACookieAndItsRetryPasses() {
        byte[] init = initiator.initiation(T0);
        assertTrue(Arrays.equals(new byte[16], Arrays.copyOfRange(init, HandshakeInitiation.MAC2, 148)), "no cookie yet: mac2 is zero");
        assertTrue(responder.checker.checkMac1(init, 0, init.length));
        assertFalse(responder.checker.checkMac2(init, 0, init.length, SOURCE, PORT, T0));

        byte[] reply = reply(init, T0);
        assertEquals(WireGuardSpec.MESSAGE_COOKIE_REPLY, Messages.typeOf(reply, 0, reply.length));
        assertEquals(new HandshakeInitiation().wrap(init, 0).senderIndex(), new CookieReply().wrap(reply, 0).receiverIndex());
        assertNull(initiator.macs.consumeReply(reply, 0, reply.length, T0 + SECOND));
        assertTrue(initiator.macs.hasFreshCookie(T0 + SECOND));

        byte[] retry = initiator.initiation(T0 + 2 * SECOND);
        assertTrue(responder.checker.checkMac1(retry, 0, retry.length));
        assertTrue(responder.checker.checkMac2(retry, 0, retry.length, SOURCE, PORT, T0 + 2 * SECOND));
        assertNull(responder.handshake.consumeInitiation(retry, 0, retry.length, T0 + 2 * SECOND));
    }

    @Test
    void mac2IsBoundToTheSourceAddressAndPort() {
        byte[] init = initiator.initiation(T0);
        assertNull(initiator.macs.consumeReply(reply(init, T0), 0, 64, T0));
        byte[] retry = initiator.initiation(T0);
        assertTrue(responder.checker.checkMac2(retry, 0, retry.length, SOURCE, PORT, T0));
        assertFalse(responder.checker.checkMac2(retry, 0, retry.length, SOURCE, PORT + 1, T0));
        assertFalse(responder.checker.checkMac2(retry, 0, retry.length, new byte[] {(byte) 198, 51, 100, 8}, PORT, T0));
        byte[] v6 = new byte[16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        assertFalse(responder.checker.checkMac2(retry, 0, retry.length, v6, PORT, T0));
        retry[HandshakeInitiation.MAC2] ^= 1;
        assertFalse(responder.checker.checkMac2(retry, 0, retry.length, SOURCE, PORT, T0));
    }

    @Test
    void ipv6SourcesWorkToo() {
        byte[] v6 = new byte[16];
        v6[15] = 1;
        byte[] init = initiator.initiation(T0);
        byte[] reply = new byte[64];
        responder.checker.createReply(init, 0, init.length, v6, 51820, T0, reply, 0);
        assertNull(initiator.macs.consumeReply(reply, 0, 64, T0));
        byte[] retry = initiator.initiation(T0);
        assertTrue(responder.checker.checkMac2(retry, 0, retry.length, v6, 51820, T0));
    }

    @Test
    void theCookieSecretLastsTwoMinutes() {
        byte[] init = initiator.initiation(T0);
        assertNull(initiator.macs.consumeReply(reply(init, T0), 0, 64, T0));
        byte[] retry = initiator.initiation(T0);
        assertTrue(responder.checker.checkMac2(retry, 0, retry.length, SOURCE, PORT, T0 + 120 * SECOND));
        assertFalse(responder.checker.checkMac2(retry, 0, retry.length, SOURCE, PORT, T0 + 120 * SECOND + 1),
                "the secret is older than COOKIE_REFRESH_TIME");
        // The next reply makes a new secret, and with it a new cookie for the same source.
        byte[] later = initiator.initiation(T0 + 121 * SECOND);
        byte[] reply = reply(later, T0 + 121 * SECOND);
        assertNull(initiator.macs.consumeReply(reply, 0, 64, T0 + 121 * SECOND));
        byte[] retry2 = initiator.initiation(T0 + 121 * SECOND);
        assertFalse(Arrays.equals(Arrays.copyOfRange(retry, 132, 148), Arrays.copyOfRange(retry2, 132, 148)));
        assertTrue(responder.checker.checkMac2(retry2, 0, retry2.length, SOURCE, PORT, T0 + 121 * SECOND));
    }

    @Test
    void theInitiatorStopsUsingACookieAfterTwoMinutes() {
        byte[] init = initiator.initiation(T0);
        assertNull(initiator.macs.consumeReply(reply(init, T0), 0, 64, T0));
        assertTrue(initiator.macs.hasFreshCookie(T0 + 120 * SECOND - 1));
        assertFalse(initiator.macs.hasFreshCookie(T0 + 120 * SECOND));
        byte[] stale = initiator.initiation(T0 + 120 * SECOND);
        assertArrayEquals(new byte[16], Arrays.copyOfRange(stale, HandshakeInitiation.MAC2, 148));
    }

    @Test
    void aReplyMustAnswerOurLastMac1AndCountsOnce() {
        byte[] first = initiator.initiation(T0);
        byte[] replyToFirst = reply(first, T0);
        initiator.initiation(T0); // a newer message: the old reply no longer answers our last mac1
        assertEquals(DropReason.BAD_COOKIE_REPLY, initiator.macs.consumeReply(replyToFirst, 0, 64, T0));

        byte[] second = initiator.initiation(T0);
        byte[] replyToSecond = reply(second, T0);
        assertNull(initiator.macs.consumeReply(replyToSecond, 0, 64, T0));
        assertEquals(DropReason.BAD_COOKIE_REPLY, initiator.macs.consumeReply(replyToSecond, 0, 64, T0), "one reply per sent mac1");
    }

    @Test
    void aReplyBeforeWeSentAnythingIsRefused() {
        byte[] someone = new Site(13).peerWith(responder, null).initiation(T0);
        byte[] reply = reply(someone, T0);
        assertEquals(DropReason.BAD_COOKIE_REPLY, initiator.macs.consumeReply(reply, 0, 64, T0));
    }

    @Test
    void tamperedOrMisshapenRepliesAreRefused() {
        byte[] init = initiator.initiation(T0);
        byte[] reply = reply(init, T0);
        for (int at : new int[] {CookieReply.NONCE, CookieReply.NONCE + 23, CookieReply.COOKIE, 63}) {
            byte[] bad = reply.clone();
            bad[at] ^= 0x10;
            assertEquals(DropReason.BAD_COOKIE_REPLY, initiator.macs.consumeReply(bad, 0, 64, T0), "byte " + at);
        }
        assertEquals(DropReason.BAD_LENGTH, initiator.macs.consumeReply(reply, 0, 63, T0));
        byte[] wrongType = reply.clone();
        wrongType[0] = 2;
        assertEquals(DropReason.UNKNOWN_MESSAGE_TYPE, initiator.macs.consumeReply(wrongType, 0, 64, T0));
        assertNull(initiator.macs.consumeReply(reply, 0, 64, T0), "the genuine reply is still accepted after the bad ones");
    }

    @Test
    void repliesFromAnotherResponderKeyDoNotDecrypt() {
        Site other = new Site(14);
        CookieChecker otherChecker = new CookieChecker(other.staticPublic, other.random);
        byte[] init = initiator.initiation(T0);
        byte[] reply = new byte[64];
        otherChecker.createReply(init, 0, init.length, SOURCE, PORT, T0, reply, 0);
        assertEquals(DropReason.BAD_COOKIE_REPLY, initiator.macs.consumeReply(reply, 0, 64, T0));
    }

    @Test
    void responsesCarryMacsTooAndTheInitiatorChecksMac1() {
        byte[] init = initiator.initiation(T0);
        assertNull(responder.handshake.consumeInitiation(init, 0, init.length, T0));
        byte[] response = responder.response(T0);
        assertTrue(initiator.checker.checkMac1(response, 0, response.length));
        assertFalse(responder.checker.checkMac1(response, 0, response.length), "mac1 is keyed by the receiver's public key");
        response[HandshakeResponse.MAC1 + 3] ^= 4;
        assertFalse(initiator.checker.checkMac1(response, 0, response.length));
        assertFalse(initiator.checker.checkMac1(response, 0, 10), "too short to hold macs");
    }
}
