package dev.braid.instance.offload;

import static dev.braid.instance.offload.PacketBytes.IPV4_SOURCE;
import static dev.braid.instance.offload.PacketBytes.IPV6_HEADER;
import static dev.braid.instance.offload.PacketBytes.IPV6_SOURCE;
import static dev.braid.instance.offload.PacketBytes.TCP_ACK;

import java.util.Arrays;

/**
 * The TCP flows of one coalescing batch: open addressing over a fixed array, keyed by addresses,
 * ports and ACK number read in place from the packets in the coalescer's arena (a flow remembers
 * where its first packet lies and compares against those bytes). Different ACK numbers are
 * different flows because segments acknowledging different data must not be merged. Bounded:
 * once {@code maxFlows} flows exist, new ones are refused until {@link #clear}.
 */
final class TcpFlowTable {
    private final int maxFlows;
    private final int[] keyAt;
    private final int[] keyIpHeaderLength;
    private final long[] hash;
    private final int[] lastEntry;
    private final int[] buckets;
    private final int bucketMask;
    private int count;

    TcpFlowTable(int maxFlows) {
        this.maxFlows = maxFlows;
        int capacity = Math.max(maxFlows, 1);
        keyAt = new int[capacity];
        keyIpHeaderLength = new int[capacity];
        hash = new long[capacity];
        lastEntry = new int[capacity];
        // at most half full, so probe chains stay short
        int bucketCount = Integer.highestOneBit(Math.max(2, maxFlows * 2 - 1)) << 1;
        buckets = new int[bucketCount];
        bucketMask = bucketCount - 1;
    }

    /**
     * The flow of the TCP packet at {@code arena[packetAt]} (IP header {@code ipHeaderLength} bytes),
     * added with no entry if new; -1 when the table is full.
     */
    int findOrAdd(byte[] arena, int packetAt, int ipHeaderLength) {
        if (maxFlows == 0) {
            return -1;
        }
        long h = hash(arena, packetAt, ipHeaderLength);
        int bucket = (int) h & bucketMask;
        while (buckets[bucket] != 0) {
            int f = buckets[bucket] - 1;
            if (hash[f] == h && sameKey(arena, keyAt[f], keyIpHeaderLength[f], packetAt, ipHeaderLength)) {
                return f;
            }
            bucket = (bucket + 1) & bucketMask;
        }
        if (count == maxFlows) {
            return -1;
        }
        int f = count++;
        keyAt[f] = packetAt;
        keyIpHeaderLength[f] = ipHeaderLength;
        hash[f] = h;
        lastEntry[f] = -1;
        buckets[bucket] = f + 1;
        return f;
    }

    /** The flow's newest entry (the coalescer's index), or -1. */
    int lastEntry(int flow) {
        return lastEntry[flow];
    }

    void setLastEntry(int flow, int entry) {
        lastEntry[flow] = entry;
    }

    void clear() {
        if (count > 0) {
            count = 0;
            Arrays.fill(buckets, 0);
        }
    }

    private static long hash(byte[] a, int o, int ipHeaderLength) {
        int t = o + ipHeaderLength;
        long h;
        if (ipHeaderLength == IPV6_HEADER) {
            int s = o + IPV6_SOURCE;
            h = PacketBytes.i64(a, s) ^ Long.rotateLeft(PacketBytes.i64(a, s + 8), 17)
                    ^ Long.rotateLeft(PacketBytes.i64(a, s + 16), 31) ^ Long.rotateLeft(PacketBytes.i64(a, s + 24), 47) ^ 6;
        } else {
            h = PacketBytes.i64(a, o + IPV4_SOURCE);
        }
        h ^= ((long) PacketBytes.i32(a, t) << 32) ^ ((PacketBytes.i32(a, t + TCP_ACK) & 0xffff_ffffL) * 0x9E3779B97F4A7C15L);
        // murmur3's finaliser: every input bit reaches the low bits that pick the bucket
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    private static boolean sameKey(byte[] a, int ko, int kIp, int po, int pIp) {
        if (kIp != pIp) {
            return false;
        }
        boolean v6 = pIp == IPV6_HEADER;
        int addressAt = v6 ? IPV6_SOURCE : IPV4_SOURCE;
        int kt = ko + kIp;
        int pt = po + pIp;
        return PacketBytes.equal(a, ko + addressAt, a, po + addressAt, v6 ? 32 : 8)
                && PacketBytes.i32(a, kt) == PacketBytes.i32(a, pt)
                && PacketBytes.i32(a, kt + TCP_ACK) == PacketBytes.i32(a, pt + TCP_ACK);
    }
}
