package dev.braid.instance.fuzz;

import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.braid.instance.counters.Counter;
import dev.braid.instance.protocol.WireGuardSpec;

/**
 * The rule every received datagram must obey, judged from the session's counters before and after
 * it, what the session sent and what reached its TUN:
 * <ul>
 * <li>it is counted exactly once: either one drop counter moves (a dropped datagram), or one of the
 *     "authentic" counters (an initiation, response or cookie reply accepted, a transport message
 *     authenticated) — and an authenticated transport message may then have its inner packet
 *     dropped (not IP, source not allowed, TUN refused it), one drop more;</li>
 * <li>its bytes are counted in rx_udp_bytes;</li>
 * <li>a dropped datagram is answered with nothing, except an initiation or response refused under
 *     load, which gets exactly one cookie reply (64 bytes, type 3) to its source — WireGuard's own
 *     answer — and nothing of a dropped datagram reaches the TUN;</li>
 * <li>no counter other than a gauge ever goes down.</li>
 * </ul>
 */
public final class DatagramAccounting {
    /** Counters that mean "this datagram was authentic and accepted". */
    static final Set<Counter> AUTHENTIC = EnumSet.of(Counter.HANDSHAKE_INITIATIONS_RECEIVED,
            Counter.HANDSHAKE_RESPONSES_RECEIVED, Counter.COOKIE_REPLIES_RECEIVED, Counter.RX_PACKETS);
    /** Drops of the packet inside an authenticated transport message. */
    static final Set<Counter> INNER_PACKET_DROPS = EnumSet.of(Counter.DROP_NOT_IP, Counter.DROP_DISALLOWED_SOURCE,
            Counter.DROP_TUN_WRITE_FAILED);
    /** Drops decided before the session changes anything, for any message. */
    private static final Set<Counter> STATELESS_DROPS = EnumSet.of(Counter.DROP_BAD_LENGTH, Counter.DROP_BAD_TYPE,
            Counter.DROP_BAD_MAC1, Counter.DROP_UNKNOWN_RECEIVER_INDEX);
    /**
     * Drops of transport messages and cookie replies that leave the session as it was: tags are
     * checked before the replay window or the cookie changes. (Handshake messages that passed mac1
     * already counted towards "under load", so their later drops do change the session.)
     */
    private static final Set<Counter> STATELESS_TRANSPORT_DROPS = EnumSet.of(Counter.DROP_DECRYPT_FAILED,
            Counter.DROP_REPLAYED_COUNTER, Counter.DROP_KEYPAIR_EXPIRED);

    private DatagramAccounting() {
    }

    /**
     * What one datagram did.
     *
     * @param accepted      the authentic counter that moved, or null when the datagram was dropped
     * @param dropReason    the drop counter that moved, or null (an accepted datagram with a clean inner packet)
     * @param changedState  false only when the session is certainly as it was before the datagram
     */
    public record Outcome(Counter accepted, Counter dropReason, boolean changedState) {
    }

    /**
     * @param type the datagram's type as read by the session (first four bytes little-endian), or
     *             -1 when it is shorter than four bytes
     * @throws AssertionError naming the rule that was broken
     */
    public static Outcome judge(long[] before, long[] after, int length, int type, List<PeerPair.Datagram> answers,
                                InetSocketAddress sender, int tunWrites) {
        Counter accepted = null;
        Counter dropReason = null;
        int authentic = 0;
        int drops = 0;
        for (Counter c : Counter.values()) {
            long delta = after[c.id()] - before[c.id()];
            if (c.kind() != Counter.Kind.GAUGE && delta < 0) {
                fail("counter " + c + " went down by " + -delta);
            }
            if (AUTHENTIC.contains(c) && delta != 0) {
                authentic += (int) delta;
                accepted = c;
            }
            if (c.kind() == Counter.Kind.DROP && delta != 0) {
                drops += (int) delta;
                dropReason = c;
            }
        }
        long udpBytes = after[Counter.RX_UDP_BYTES.id()] - before[Counter.RX_UDP_BYTES.id()];
        if (udpBytes != length) {
            fail("rx_udp_bytes moved by " + udpBytes + " for a " + length + "-byte datagram");
        }
        long cookieReplies = after[Counter.COOKIE_REPLIES_SENT.id()] - before[Counter.COOKIE_REPLIES_SENT.id()];
        if (authentic == 0) {
            if (drops != 1) {
                fail("a dropped " + length + "-byte datagram moved " + drops + " drop counters (" + dropReason + ")");
            }
            if (tunWrites != 0) {
                fail("a dropped datagram (" + dropReason + ") reached the TUN");
            }
            if (dropReason == Counter.DROP_UNDER_LOAD) {
                if (answers.size() != 1 || cookieReplies != 1) {
                    fail("a handshake message refused under load got " + answers.size() + " answers and "
                            + cookieReplies + " cookie replies counted, not one cookie reply");
                }
                PeerPair.Datagram reply = answers.getFirst();
                if (reply.bytes().length != WireGuardSpec.COOKIE_REPLY_BYTES
                        || reply.bytes()[0] != WireGuardSpec.MESSAGE_COOKIE_REPLY || !reply.to().equals(sender)) {
                    fail("the answer to a message refused under load is not a cookie reply to its source: "
                            + reply.bytes().length + " bytes of type " + reply.bytes()[0] + " to " + reply.to());
                }
            } else if (!answers.isEmpty() || cookieReplies != 0) {
                fail("a datagram dropped as " + dropReason + " was answered with " + answers.size() + " datagrams");
            }
            boolean stateless = STATELESS_DROPS.contains(dropReason)
                    || type == WireGuardSpec.MESSAGE_TRANSPORT && STATELESS_TRANSPORT_DROPS.contains(dropReason)
                    || type == WireGuardSpec.MESSAGE_COOKIE_REPLY && dropReason == Counter.DROP_BAD_COOKIE_REPLY;
            return new Outcome(null, dropReason, !stateless);
        }
        if (authentic != 1) {
            fail("one datagram was accepted " + authentic + " times (" + accepted + ")");
        }
        if (drops > 1 || drops == 1 && !(accepted == Counter.RX_PACKETS && INNER_PACKET_DROPS.contains(dropReason))) {
            fail("an accepted datagram (" + accepted + ") also moved " + drops + " drop counters (" + dropReason + ")");
        }
        long keepalives = after[Counter.KEEPALIVES_RECEIVED.id()] - before[Counter.KEEPALIVES_RECEIVED.id()];
        int expectedTunWrites = accepted == Counter.RX_PACKETS && drops == 0 && keepalives == 0 ? 1 : 0;
        if (tunWrites != expectedTunWrites) {
            fail("an accepted " + accepted + " (drops " + dropReason + ", keepalive " + keepalives + ") wrote "
                    + tunWrites + " packets to the TUN, expected " + expectedTunWrites);
        }
        return new Outcome(accepted, dropReason, true);
    }

    /** The session's view of a datagram's type: the first four bytes as a little-endian int, or -1. */
    public static int typeOf(byte[] buf, int offset, int length) {
        if (length < 4) {
            return -1;
        }
        return (buf[offset] & 0xff) | (buf[offset + 1] & 0xff) << 8 | (buf[offset + 2] & 0xff) << 16 | (buf[offset + 3] & 0xff) << 24;
    }

    /** A UDP-in-IPv4 packet from {@code src} to {@code dst} whose payload bytes are all {@code fill}. */
    public static byte[] ipv4(String src, String dst, int fill, int payloadBytes) {
        byte[] p = new byte[20 + payloadBytes];
        p[0] = 0x45;
        p[2] = (byte) (p.length >> 8);
        p[3] = (byte) p.length;
        p[8] = 64;
        p[9] = 17;
        String[] s = src.split("\\.");
        String[] d = dst.split("\\.");
        for (int k = 0; k < 4; k++) {
            p[12 + k] = (byte) Integer.parseInt(s[k]);
            p[16 + k] = (byte) Integer.parseInt(d[k]);
        }
        java.util.Arrays.fill(p, 20, p.length, (byte) fill);
        return p;
    }

    private static void fail(String rule) {
        throw new AssertionError("datagram accounting: " + rule);
    }
}
