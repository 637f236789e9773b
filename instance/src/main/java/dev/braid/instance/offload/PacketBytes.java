package dev.braid.instance.offload;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Big-endian (network order) field access on a byte[] and IP/TCP header constants, shared by the offload classes. */
final class PacketBytes {
    private static final VarHandle SHORT_BE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static final int IPV4_MIN_HEADER = 20;
    static final int IPV6_HEADER = 40;
    static final int TCP_MIN_HEADER = 20;
    static final int UDP_HEADER = 8;
    /** The largest IP packet Braid builds: IPv4's total length field, and the TUN's default gso_max_size. */
    static final int MAX_IP_PACKET = 65535;

    static final int IPV4_TOTAL_LENGTH = 2;
    static final int IPV4_ID = 4;
    static final int IPV4_FLAGS_FRAGMENT = 6;
    static final int IPV4_TTL = 8;
    static final int IPV4_PROTOCOL = 9;
    static final int IPV4_CHECKSUM = 10;
    static final int IPV4_SOURCE = 12;
    static final int IPV6_PAYLOAD_LENGTH = 4;
    static final int IPV6_NEXT_HEADER = 6;
    static final int IPV6_HOP_LIMIT = 7;
    static final int IPV6_SOURCE = 8;
    /** The Don't Fragment bit in the high byte of IPv4's flags/offset word. */
    static final int IPV4_DONT_FRAGMENT = 0x40;
    /** The More Fragments bit and the 13-bit fragment offset of IPv4's flags/offset word. */
    static final int IPV4_MF_AND_OFFSET = 0x3fff;

    static final int TCP_SEQ = 4;
    static final int TCP_ACK = 8;
    static final int TCP_DATA_OFFSET = 12;
    static final int TCP_FLAGS = 13;
    static final int TCP_WINDOW = 14;
    static final int TCP_CHECKSUM = 16;
    static final int UDP_LENGTH = 4;
    static final int UDP_CHECKSUM = 6;

    static final int TCP_FIN = 0x01;
    static final int TCP_SYN = 0x02;
    static final int TCP_RST = 0x04;
    static final int TCP_PSH = 0x08;
    static final int TCP_ACK_FLAG = 0x10;
    static final int TCP_URG = 0x20;
    static final int TCP_ECE = 0x40;
    static final int TCP_CWR = 0x80;

    private PacketBytes() {
    }

    static int u16(byte[] buf, int offset) {
        return (short) SHORT_BE.get(buf, offset) & 0xffff;
    }

    static void putU16(byte[] buf, int offset, int value) {
        SHORT_BE.set(buf, offset, (short) value);
    }

    static int i32(byte[] buf, int offset) {
        return (int) INT_BE.get(buf, offset);
    }

    static void putI32(byte[] buf, int offset, int value) {
        INT_BE.set(buf, offset, value);
    }

    static long i64(byte[] buf, int offset) {
        return (long) LONG_BE.get(buf, offset);
    }

    /** Compares two byte ranges (not secret data: an early exit is fine). */
    static boolean equal(byte[] a, int aOffset, byte[] b, int bOffset, int length) {
        return java.util.Arrays.equals(a, aOffset, aOffset + length, b, bOffset, bOffset + length);
    }
}
