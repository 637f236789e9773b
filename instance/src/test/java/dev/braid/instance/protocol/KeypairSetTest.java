package dev.braid.instance.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeypairSetTest {
    private static final long S = 1_000_000_000L;
    private static final long T0 = 7 * S;

    private final KeypairSet set = new KeypairSet();
    private int nextIndex = 100;

    private Keypair keypair(boolean initiator, long created) {
        int local = nextIndex++;
        return new Keypair(new byte[32], new byte[32], local, local + 1000, initiator, created);
    }

    @Test
    void anInitiatorsKeypairIsCurrentAtOnce() {
        Keypair first = keypair(true, T0);
        set.install(first);
        assertSame(first, set.current());
        Keypair second = keypair(true, T0 + S);
        set.install(second);
        assertSame(second, set.current());
        assertSame(first, set.previous(), "kept so packets in flight still open");
        Keypair third = keypair(true, T0 + 2 * S);
        set.install(third);
        assertSame(second, set.previous());
        assertNull(set.forLocalIndex(first.localIndex()), "two generations back is gone");
    }

    @Test
    void aRespondersKeypairWaitsAsNextUntilTheFirstMessageOnIt() {
        Keypair current = keypair(true, T0);
        set.install(current);
        Keypair old = keypair(true, T0 + S);
        set.install(old);
        Keypair previousBefore = set.previous();

        Keypair responder = keypair(false, T0 + 2 * S);
        set.install(responder);
        assertSame(responder, set.next());
        assertSame(old, set.current(), "still sending with the confirmed keypair");
        assertNull(set.previous(), "wireguard-go drops previous when a next arrives");
        assertTrue(previousBefore != null);

        assertFalse(set.confirm(old), "a message on current confirms nothing");
        assertTrue(set.confirm(responder));
        assertSame(responder, set.current());
        assertSame(old, set.previous());
        assertNull(set.next());
        assertFalse(set.confirm(responder), "only once");
    }

    @Test
    void aNewerResponderKeypairReplacesAnUnconfirmedOne() {
        Keypair a = keypair(false, T0);
        Keypair b = keypair(false, T0 + S);
        set.install(a);
        set.install(b);
        assertSame(b, set.next());
        assertNull(set.forLocalIndex(a.localIndex()));
        assertFalse(set.confirm(a));
    }

    @Test
    void anInitiatorKeypairWhileANextWaitsKeepsTheNextAsPrevious() {
        Keypair current = keypair(true, T0);
        Keypair next = keypair(false, T0 + S);
        Keypair fresh = keypair(true, T0 + 2 * S);
        set.install(current);
        set.install(next);
        set.install(fresh);
        assertSame(fresh, set.current());
        assertSame(next, set.previous());
        assertNull(set.next());
        assertNull(set.forLocalIndex(current.localIndex()));
    }

    @Test
    void lookupByLocalIndexFindsAllThreeAndNothingElse() {
        Keypair p = keypair(true, T0);
        Keypair c = keypair(true, T0);
        Keypair n = keypair(false, T0);
        set.install(p);
        set.install(c);
        set.install(n); // a responder keypair: becomes next and drops previous (p)
        assertSame(c, set.forLocalIndex(c.localIndex()));
        assertSame(n, set.forLocalIndex(n.localIndex()));
        assertNull(set.forLocalIndex(p.localIndex()));
        assertNull(set.forLocalIndex(c.remoteIndex()), "remote indices are not ours");
        assertTrue(set.isLocalIndexInUse(n.localIndex()));
        assertFalse(set.isLocalIndexInUse(12345));
    }

    @Test
    void expiredKeypairsAreRemovedAndClearForgetsAll() {
        Keypair old = keypair(true, T0);
        Keypair young = keypair(true, T0 + 100 * S);
        set.install(old);
        set.install(young);
        assertEquals(0, set.removeExpired(T0 + 180 * S));
        assertEquals(1, set.removeExpired(T0 + 180 * S + 1));
        assertNull(set.previous());
        assertSame(young, set.current());
        set.clear();
        assertNull(set.current());
        assertNull(set.forLocalIndex(young.localIndex()));
    }
}
