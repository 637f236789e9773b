package dev.braid.instance.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Little-endian field access on a byte[] (WireGuard's wire order) without allocating, plus the
 * constant-time comparison and wiping every secret-handling class needs.
 */
final class ByteOrderAccess {
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private ByteOrderAccess() {
    }

    static int getIntLE(byte[] buf, int offset) {
        return (int) INT_LE.get(buf, offset);
    }

    static void putIntLE(byte[] buf, int offset, int value) {
        INT_LE.set(buf, offset, value);
    }

    static long getLongLE(byte[] buf, int offset) {
        return (long) LONG_LE.get(buf, offset);
    }

    static void putLongLE(byte[] buf, int offset, long value) {
        LONG_LE.set(buf, offset, value);
    }

    static void putLongBE(byte[] buf, int offset, long value) {
        LONG_BE.set(buf, offset, value);
    }

    static void putIntBE(byte[] buf, int offset, int value) {
        INT_BE.set(buf, offset, value);
    }

    /** Compares without an early exit, so the time taken does not reveal where a MAC differs. */
    static boolean constantTimeEquals(byte[] a, int aOffset, byte[] b, int bOffset, int length) {
        int diff = 0;
        for (int i = 0; i < length; i++) {
            diff |= a[aOffset + i] ^ b[bOffset + i];
        }
        return diff == 0;
    }

    static boolean isAllZero(byte[] a) {
        int bits = 0;
        for (byte x : a) {
            bits |= x;
        }
        return bits == 0;
    }
}
