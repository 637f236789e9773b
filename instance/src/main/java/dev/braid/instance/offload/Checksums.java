package dev.braid.instance.offload;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) as the offload code needs it: a running sum over byte ranges, the
 * TCP/UDP pseudo-header sums for IPv4 and IPv6, folding, and incremental updates (RFC 1624).
 *
 * <p>Sums are carried as a non-negative {@code long} of added 32-bit big-endian words and only
 * folded to 16 bits at the end. That is the same ones'-complement sum as adding 16-bit words,
 * because 2^16 ≡ 1 (mod 2^16 − 1), and it lets the loop take 8 bytes per load and 32 bytes per
 * iteration. A 64 KB range adds less than 2^46, so nothing overflows. A range's words are counted
 * from its start: a range that continues a sum must start at an even distance from the start of
 * the checksummed data; an odd-length range is padded with a zero byte.
 */
public final class Checksums {
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final long LOW32 = 0xffff_ffffL;

    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    private Checksums() {
    }

    /** Adds buf[offset, offset+length) to {@code sum} (unfolded); see the class comment for alignment. */
    public static long add(byte[] buf, int offset, int length, long sum) {
        int i = offset;
        int end = offset + length;
        long s0 = sum;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        // four independent accumulators so the adds do not wait on each other
        while (end - i >= 32) {
            long a = (long) LONG_BE.get(buf, i);
            long b = (long) LONG_BE.get(buf, i + 8);
            long c = (long) LONG_BE.get(buf, i + 16);
            long d = (long) LONG_BE.get(buf, i + 24);
            s0 += (a >>> 32) + (a & LOW32);
            s1 += (b >>> 32) + (b & LOW32);
            s2 += (c >>> 32) + (c & LOW32);
            s3 += (d >>> 32) + (d & LOW32);
            i += 32;
        }
        while (end - i >= 8) {
            long a = (long) LONG_BE.get(buf, i);
            s0 += (a >>> 32) + (a & LOW32);
            i += 8;
        }
        if (end - i >= 4) {
            s1 += (int) INT_BE.get(buf, i) & LOW32;
            i += 4;
        }
        if (end - i >= 2) {
            s2 += (buf[i] & 0xff) << 8 | (buf[i + 1] & 0xff);
            i += 2;
        }
        if (end - i == 1) {
            s3 += (buf[i] & 0xff) << 8;
        }
        return s0 + s1 + s2 + s3;
    }

    /** Folds an unfolded sum to its 16-bit ones'-complement value (not complemented). */
    public static int fold(long sum) {
        long s = (sum & LOW32) + (sum >>> 32);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }

    /** The checksum field value for data whose sum is {@code sum}: the complement of the folded sum. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xffff;
    }

    /** The checksum field value over buf[offset, offset+length) with {@code initial} (e.g. a pseudo-header sum). */
    public static int checksum(byte[] buf, int offset, int length, long initial) {
        return finish(add(buf, offset, length, initial));
    }

    /** True if buf[offset, offset+length) plus {@code initial} sums to all ones: the checksum in it is right. */
    public static boolean verifies(byte[] buf, int offset, int length, long initial) {
        return fold(add(buf, offset, length, initial)) == 0xffff;
    }

    /**
     * The IPv4 pseudo-header sum (source, destination, protocol, transport length) for the packet whose
     * IPv4 header starts at {@code ipOffset}.
     */
    public static long pseudoHeaderIpv4(byte[] packet, int ipOffset, int protocol, int transportLength) {
        long src = (int) INT_BE.get(packet, ipOffset + 12) & LOW32;
        long dst = (int) INT_BE.get(packet, ipOffset + 16) & LOW32;
        return src + dst + protocol + transportLength;
    }

    /** The IPv6 pseudo-header sum (RFC 8200 §8.1) for the packet whose IPv6 header starts at {@code ipOffset}. */
    public static long pseudoHeaderIpv6(byte[] packet, int ipOffset, int protocol, int transportLength) {
        return add(packet, ipOffset + 8, 32, (long) protocol + (transportLength & LOW32));
    }

    /** The pseudo-header sum for either IP version, chosen by the header's version nibble. */
    public static long pseudoHeader(byte[] packet, int ipOffset, int protocol, int transportLength) {
        return (packet[ipOffset] & 0xf0) == 0x60
                ? pseudoHeaderIpv6(packet, ipOffset, protocol, transportLength)
                : pseudoHeaderIpv4(packet, ipOffset, protocol, transportLength);
    }

    /**
     * RFC 1624 eqn. 3: the new checksum field after one 16-bit word covered by {@code checksum} changed
     * from {@code oldWord} to {@code newWord}, without summing the data again. A checksum that was wrong
     * stays wrong, which is the point: the receiver still sees the damage.
     */
    public static int update16(int checksum, int oldWord, int newWord) {
        long sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        return ~fold(sum) & 0xffff;
    }

    /** {@link #update16} for a 32-bit field (e.g. a TCP sequence number): two words at once. */
    public static int update32(int checksum, int oldValue, int newValue) {
        long sum = (~checksum & 0xffff) + (~oldValue >>> 16) + (~oldValue & 0xffff)
                + (newValue >>> 16) + (newValue & 0xffff);
        return ~fold(sum) & 0xffff;
    }
}
