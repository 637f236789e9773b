package dev.braid.instance.offload;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * Turns a link's transmit checksum offload off (the legacy SIOCETHTOOL / ETHTOOL_STXCSUM ioctl, which
 * `ethtool -K DEV tx off` also uses), so the kernel must finish checksums in software — from the
 * partial sum the coalescer left — before the packet leaves. Call it on a thread inside the link's
 * namespace: the ioctl's socket decides which namespace the name is looked up in.
 */
final class TxChecksumSwitch {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_GTXCSUM = 0x16;
    private static final int ETHTOOL_STXCSUM = 0x17;

    private interface Libc extends Library {
        Libc INSTANCE = Native.load("c", Libc.class);

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private TxChecksumSwitch() {
    }

    /** Sets tx checksumming of {@code link} and returns what the kernel reports afterwards. */
    static boolean set(String link, boolean on) {
        int sock = Libc.INSTANCE.socket(AF_INET, SOCK_DGRAM, 0);
        try (Memory ifr = new Memory(40); Memory value = new Memory(8)) {
            ifr.clear();
            ifr.write(0, link.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, link.length());
            ifr.setPointer(16, value);
            value.setInt(0, ETHTOOL_STXCSUM);
            value.setInt(4, on ? 1 : 0);
            Libc.INSTANCE.ioctl(sock, new NativeLong(SIOCETHTOOL), ifr);
            value.setInt(0, ETHTOOL_GTXCSUM);
            value.setInt(4, -1);
            Libc.INSTANCE.ioctl(sock, new NativeLong(SIOCETHTOOL), ifr);
            return value.getInt(4) != 0;
        } finally {
            Libc.INSTANCE.close(sock);
        }
    }
}
