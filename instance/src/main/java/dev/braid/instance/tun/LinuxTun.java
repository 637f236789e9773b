package dev.braid.instance.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The narrow native facade for /dev/net/tun: open, the TUN ioctls, close. errno becomes a
 * {@link TunException} here and nowhere else. Constants from linux/if_tun.h (x86-64 encodings).
 */
final class LinuxTun {
    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;

    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETPERSIST = 0x400454cbL;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNGETIFF = 0x800454d2L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    static final long TUNSETCARRIER = 0x400454e2L;
    static final long SIOCSIFMTU = 0x8922L;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;

    static final short IFF_TUN = 0x0001;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_VNET_HDR = 0x4000;

    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int TUN_F_TSO_ECN = 0x08;
    /** UDP segmentation offload (Linux 6.2+); the kernel takes USO4 and USO6 only together. */
    static final int TUN_F_USO4 = 0x20;
    static final int TUN_F_USO6 = 0x40;
    static final long TUNGETVNETHDRSZ = 0x800454d7L;

    /** struct ifreq: 16 bytes of name, then a 24-byte union whose first short is ifr_flags. */
    static final int IFREQ_BYTES = 40;
    static final int IFNAMSIZ = 16;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;

    private interface Libc extends com.sun.jna.Library {
        int open(String path, int flags) throws LastErrorException;

        int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

        int ioctl(int fd, NativeLong request, long value) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int socket(int domain, int type, int protocol) throws LastErrorException;
    }

    private static final Libc LIBC = Native.load("c", Libc.class);

    private LinuxTun() {
    }

    static int open(String path, int flags) {
        try {
            return LIBC.open(path, flags);
        } catch (LastErrorException e) {
            throw new TunException("open " + path, e.getErrorCode());
        }
    }

    static void ioctl(int fd, long request, Pointer arg, String what) {
        try {
            LIBC.ioctl(fd, new NativeLong(request), arg);
        } catch (LastErrorException e) {
            throw new TunException(what, e.getErrorCode());
        }
    }

    static void ioctl(int fd, long request, long value, String what) {
        try {
            LIBC.ioctl(fd, new NativeLong(request), value);
        } catch (LastErrorException e) {
            throw new TunException(what, e.getErrorCode());
        }
    }

    static int socket(int domain, int type) {
        try {
            return LIBC.socket(domain, type, 0);
        } catch (LastErrorException e) {
            throw new TunException("socket", e.getErrorCode());
        }
    }

    static void closeQuietly(int fd) {
        try {
            LIBC.close(fd);
        } catch (LastErrorException ignored) {
            // nothing useful to do with a failed close of a TUN fd
        }
    }
}
