package dev.braid.instance.protocol;

import static dev.braid.instance.protocol.Timers.HANDSHAKE_GAVE_UP;
import static dev.braid.instance.protocol.Timers.NEW_HANDSHAKE;
import static dev.braid.instance.protocol.Timers.PERSISTENT_KEEPALIVE;
import static dev.braid.instance.protocol.Timers.RETRANSMIT_HANDSHAKE;
import static dev.braid.instance.protocol.Timers.SEND_KEEPALIVE;
import static dev.braid.instance.protocol.Timers.ZERO_KEY_MATERIAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** Each timer on a fake clock: fires exactly when due (with scripted jitter), once, and not otherwise. */
class TimersTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    /** Deliberately near the wrap of a signed long: deadlines must be compared as differences. */
    private static final long T0 = Long.MAX_VALUE - 100 * S;

    private final ScriptedRandom jitter = new ScriptedRandom();
    private final Timers timers = new Timers(jitter, 0);

    /** Asserts nothing is due just before {@code at} and exactly {@code actions} at {@code at}, then nothing again. */
    private void assertFiresAt(long at, int actions) {
        assertEquals(0, timers.poll(at - 1), "nothing due 1 ns early");
        assertEquals(actions, timers.poll(at));
        assertEquals(0, timers.poll(at), "fires once per arming");
    }

    @Test
    void retransmitHandshakeAfterRekeyTimeoutPlusJitter() {
        jitter.thenLongs(123);
        assertTrue(timers.beginHandshakeInitiation(T0, false));
        timers.handshakeInitiated(T0);
        assertEquals(T0 + 5 * S + 123 * MS, timers.nextDeadlineNanos());
        assertFiresAt(T0 + 5 * S + 123 * MS, RETRANSMIT_HANDSHAKE);
        assertEquals(1, timers.handshakeAttempts());
        assertEquals(Long.MAX_VALUE, timers.nextDeadlineNanos());
    }

    @Test
    void retransmissionGivesUpAfterMaxTimerHandshakes() {
        long now = T0;
        int sent = 0;
        assertTrue(timers.beginHandshakeInitiation(now, false));
        jitter.thenLongs(0);
        timers.handshakeInitiated(now);
        sent++;
        while (true) {
            now = timers.nextDeadlineNanos();
            int actions = timers.poll(now);
            if ((actions & HANDSHAKE_GAVE_UP) != 0) {
                assertEquals(HANDSHAKE_GAVE_UP, actions);
                break;
            }
            assertEquals(RETRANSMIT_HANDSHAKE, actions);
            assertTrue(timers.beginHandshakeInitiation(now, true), "a retry is due exactly REKEY_TIMEOUT after the last");
            jitter.thenLongs(0);
            timers.handshakeInitiated(now);
            sent++;
            assertTrue(sent <= 100, "runaway");
        }
        // wireguard-go: "Handshake did not complete after MaxTimerHandshakes+2 attempts, giving up".
        assertEquals(WireGuardSpec.MAX_TIMER_HANDSHAKES + 2, sent);
        assertEquals(T0 + 20 * 5 * S, now, "with zero jitter the 20th timeout is 100 s after the first send");
        assertEquals(now + 3 * WireGuardSpec.REJECT_AFTER_TIME_NANOS, timers.nextDeadlineNanos(), "key material goes later");
        assertFiresAt(now + 540 * S, ZERO_KEY_MATERIAL);
        assertTrue(jitter.exhausted());
    }

    @Test
    void handshakeCompleteCancelsRetransmissionAndResetsAttempts() {
        jitter.thenLongs(0);
        timers.beginHandshakeInitiation(T0, false);
        timers.handshakeInitiated(T0);
        assertEquals(RETRANSMIT_HANDSHAKE, timers.poll(T0 + 5 * S));
        assertEquals(1, timers.handshakeAttempts());
        jitter.thenLongs(0);
        timers.handshakeInitiated(T0 + 5 * S);
        timers.handshakeComplete();
        assertEquals(0, timers.handshakeAttempts());
        assertEquals(0, timers.poll(T0 + 100 * S));
    }

    @Test
    void initiationsAreSentAtMostOncePerRekeyTimeout() {
        assertTrue(timers.beginHandshakeInitiation(T0, false));
        assertFalse(timers.beginHandshakeInitiation(T0 + 5 * S - 1, false));
        assertFalse(timers.beginHandshakeInitiation(T0 + 1, true));
        assertTrue(timers.beginHandshakeInitiation(T0 + 5 * S, false));
    }

    @Test
    void aFreshAttemptResetsTheRetryCount() {
        jitter.thenLongs(0, 0);
        timers.beginHandshakeInitiation(T0, false);
        timers.handshakeInitiated(T0);
        assertEquals(RETRANSMIT_HANDSHAKE, timers.poll(T0 + 5 * S));
        timers.handshakeInitiated(T0 + 5 * S);
        assertEquals(1, timers.handshakeAttempts());
        timers.beginHandshakeInitiation(T0 + 6 * S, false);
        assertEquals(0, timers.handshakeAttempts());
    }

    @Test
    void keepaliveTenSecondsAfterDataReceivedWithNothingSent() {
        timers.dataReceived(T0);
        assertFiresAt(T0 + 10 * S, SEND_KEEPALIVE);

        timers.dataReceived(T0 + 20 * S);
        timers.anyAuthenticatedPacketSent(); // we answered with something: no keepalive needed
        assertEquals(0, timers.poll(T0 + 60 * S));
    }

    @Test
    void moreDataDuringThePendingKeepaliveAsksForAnotherOne() {
        timers.dataReceived(T0);
        timers.dataReceived(T0 + 3 * S); // does not push the deadline, but asks for another
        assertFiresAt(T0 + 10 * S, SEND_KEEPALIVE);
        assertFiresAt(T0 + 20 * S, SEND_KEEPALIVE);
        assertEquals(0, timers.poll(T0 + 100 * S), "and no third");
    }

    @Test
    void newHandshakeWhenDataSentAndNothingHeardBack() {
        jitter.thenLongs(333);
        timers.dataSent(T0);
        timers.dataSent(T0 + 4 * S); // already pending: the first deadline stands, no jitter drawn
        assertFiresAt(T0 + 15 * S + 333 * MS, NEW_HANDSHAKE);
        assertTrue(jitter.exhausted());

        jitter.thenLongs(10);
        timers.dataSent(T0 + 20 * S);
        timers.anyAuthenticatedPacketReceived(); // the peer answered
        assertEquals(0, timers.poll(T0 + 60 * S));
    }

    @Test
    void zeroKeyMaterialThreeRejectAfterTimesAfterTheLastSession() {
        timers.sessionDerived(T0);
        timers.sessionDerived(T0 + 100 * S); // a newer session pushes it out
        assertEquals(0, timers.poll(T0 + 540 * S));
        assertFiresAt(T0 + 640 * S, ZERO_KEY_MATERIAL);
    }

    @Test
    void persistentKeepaliveAfterEachTraversalIncludingSubSecondIntervals() {
        Timers persistent = new Timers(jitter, 25 * S);
        persistent.anyAuthenticatedPacketTraversal(T0);
        persistent.anyAuthenticatedPacketTraversal(T0 + 5 * S); // re-armed from the last traversal
        assertEquals(0, persistent.poll(T0 + 30 * S - 1));
        assertEquals(PERSISTENT_KEEPALIVE, persistent.poll(T0 + 30 * S));
        assertEquals(0, persistent.poll(T0 + 31 * S));

        Timers fast = new Timers(jitter, 200 * MS);
        fast.anyAuthenticatedPacketTraversal(T0);
        assertEquals(0, fast.poll(T0 + 200 * MS - 1));
        assertEquals(PERSISTENT_KEEPALIVE, fast.poll(T0 + 200 * MS));

        fast.anyAuthenticatedPacketTraversal(T0 + 300 * MS);
        fast.setPersistentKeepaliveInterval(0);
        assertEquals(0, fast.poll(T0 + 10 * S), "turning it off cancels the pending one");
        fast.anyAuthenticatedPacketTraversal(T0 + 20 * S);
        assertEquals(Long.MAX_VALUE, fast.nextDeadlineNanos(), "off means never armed");
    }

    @Test
    void severalTimersDueAtOncePollTogether() {
        Timers t = new Timers(jitter, 10 * S);
        jitter.thenLongs(0);
        t.dataSent(T0);
        t.dataReceived(T0);
        t.anyAuthenticatedPacketTraversal(T0);
        assertEquals(T0 + 10 * S, t.nextDeadlineNanos());
        assertEquals(SEND_KEEPALIVE | PERSISTENT_KEEPALIVE | NEW_HANDSHAKE, t.poll(T0 + 16 * S));
    }

    @Test
    void jitterStaysWithinZeroTo333MillisecondsInWholeMilliseconds() {
        Timers t = new Timers(new Random(333), 0);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 20_000; i++) {
            t.handshakeInitiated(T0);
            long jitterNanos = t.nextDeadlineNanos() - T0 - WireGuardSpec.REKEY_TIMEOUT_NANOS;
            assertEquals(0, jitterNanos % MS);
            min = Math.min(min, jitterNanos);
            max = Math.max(max, jitterNanos);
        }
        assertEquals(0, min);
        assertEquals(333 * MS, max);
    }

    @Test
    void sendSideRekeyAfterTimeForInitiatorsAndAfterMessagesForBoth() {
        Keypair initiator = new TestKeypairs(1, T0).initiator;
        Keypair responder = new TestKeypairs(1, T0).responder;
        assertFalse(timers.rekeyDueOnSend(null, T0));
        assertFalse(timers.rekeyDueOnSend(initiator, T0 + 120 * S));
        assertTrue(timers.rekeyDueOnSend(initiator, T0 + 120 * S + 1));
        assertFalse(timers.rekeyDueOnSend(responder, T0 + 170 * S), "only the initiator rekeys on age");

        responder.sendCounter = WireGuardSpec.REKEY_AFTER_MESSAGES;
        assertFalse(timers.rekeyDueOnSend(responder, T0));
        responder.sendCounter = WireGuardSpec.REKEY_AFTER_MESSAGES + 1;
        assertTrue(timers.rekeyDueOnSend(responder, T0));
        responder.sendCounter = WireGuardSpec.REJECT_AFTER_MESSAGES; // unsigned: far above 2^60
        assertTrue(timers.rekeyDueOnSend(responder, T0));
    }

    @Test
    void receiveSideRekeyOnceWhenTheInitiatorsKeypairNearsExpiry() {
        Keypair initiator = new TestKeypairs(1, T0).initiator;
        Keypair responder = new TestKeypairs(1, T0).responder;
        long threshold = T0 + (180 - 10 - 5) * S;
        assertFalse(timers.rekeyDueOnReceive(initiator, threshold));
        assertFalse(timers.rekeyDueOnReceive(responder, threshold + S));
        assertTrue(timers.rekeyDueOnReceive(initiator, threshold + 1));
        assertFalse(timers.rekeyDueOnReceive(initiator, threshold + 2), "once until a handshake completes");
        timers.handshakeComplete();
        assertTrue(timers.rekeyDueOnReceive(initiator, threshold + 3));
        assertFalse(timers.rekeyDueOnReceive(null, threshold + 4));
    }

    @Test
    void stopCancelsEverything() {
        Timers t = new Timers(jitter, S);
        jitter.thenLongs(0, 0);
        t.handshakeInitiated(T0);
        t.dataSent(T0);
        t.dataReceived(T0);
        t.sessionDerived(T0);
        t.anyAuthenticatedPacketTraversal(T0);
        assertTrue(t.hasPendingTimer());
        t.stop();
        assertFalse(t.hasPendingTimer());
        assertEquals(Long.MAX_VALUE, t.nextDeadlineNanos());
        assertEquals(0, t.poll(T0 + 1000 * S));
    }
}
