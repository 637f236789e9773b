package dev.braid.instance.tun;

import java.io.IOException;

import com.sun.jna.Memory;

import io.netty.channel.unix.FileDescriptor;

/**
 * One TUN device opened by this process: {@code IFF_TUN | IFF_NO_PI}, non-blocking, close-on-exec,
 * so reads and writes are bare IP packets and the fd can sit on the worker's epoll loop. Opening a
 * name that exists as a persistent TUN (made by the supervisor with {@link #createPersistent}) attaches
 * to it, which gives the device carrier; otherwise the kernel creates a device that vanishes with the
 * fd. Packet I/O goes through Netty's {@link FileDescriptor} (read/write on native memory), not JNA.
 * Opened with {@code vnetHeader} ({@code IFF_VNET_HDR}), every read and every write starts with a
 * 10-byte virtio_net_hdr, and {@link #enableOffloads} lets the kernel hand over and take 64 KB TCP/UDP
 * super-packets ({@code dev.braid.instance.offload} cuts and builds them).
 */
public final class TunDevice implements AutoCloseable {
    private final String name;
    private final FileDescriptor fd;
    private final boolean vnetHeader;

    private TunDevice(String name, FileDescriptor fd, boolean vnetHeader) {
        this.name = name;
        this.fd = fd;
        this.vnetHeader = vnetHeader;
    }

    /** Attaches to (or creates) TUN {@code name}; with {@code vnetHeader}, packets carry a virtio_net_hdr. */
    public static TunDevice open(String name, boolean vnetHeader) {
        checkName(name);
        // FileDescriptor's read/write/close are Netty's native code, loaded with the epoll transport;
        // without this, a TUN used before any event loop exists fails with UnsatisfiedLinkError
        io.netty.channel.epoll.Epoll.ensureAvailability();
        int fd = LinuxTun.open("/dev/net/tun", LinuxTun.O_RDWR | LinuxTun.O_NONBLOCK | LinuxTun.O_CLOEXEC);
        try {
            short flags = (short) (LinuxTun.IFF_TUN | LinuxTun.IFF_NO_PI | (vnetHeader ? LinuxTun.IFF_VNET_HDR : 0));
            setIff(fd, name, flags);
            if (!vnetHeader) {
                // a persistent TUN keeps the offloads an earlier reader with IFF_VNET_HDR turned on; a
                // reader without the header would then get 64 KB GSO packets it cannot tell apart
                LinuxTun.ioctl(fd, LinuxTun.TUNSETOFFLOAD, 0, "TUNSETOFFLOAD " + name + " 0");
            }
            return new TunDevice(name, new FileDescriptor(fd), vnetHeader);
        } catch (RuntimeException e) {
            LinuxTun.closeQuietly(fd);
            throw e;
        }
    }

    /**
     * Creates a persistent TUN: it outlives this call (and any worker that attaches), keeping its
     * addresses and the nexthops that use it across a worker restart. Without an attached worker it
     * has no carrier. Removed with netlink (RTM_DELLINK) like any other link.
     */
    public static void createPersistent(String name) {
        checkName(name);
        int fd = LinuxTun.open("/dev/net/tun", LinuxTun.O_RDWR | LinuxTun.O_CLOEXEC);
        try {
            setIff(fd, name, (short) (LinuxTun.IFF_TUN | LinuxTun.IFF_NO_PI));
            LinuxTun.ioctl(fd, LinuxTun.TUNSETPERSIST, 1, "TUNSETPERSIST " + name);
        } finally {
            LinuxTun.closeQuietly(fd);
        }
    }

    private static void setIff(int fd, String name, short flags) {
        try (Memory ifr = new Memory(LinuxTun.IFREQ_BYTES)) {
            ifr.clear();
            byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ifr.write(0, bytes, 0, bytes.length);
            ifr.setShort(LinuxTun.IFNAMSIZ, flags);
            LinuxTun.ioctl(fd, LinuxTun.TUNSETIFF, ifr, "TUNSETIFF " + name);
        }
    }

    /**
     * Tells the kernel which offloads this reader can take (TUN_F_CSUM, TSO4, TSO6): the kernel may then
     * hand us TCP super-packets up to 64 KB with a virtio_net_hdr saying how to segment them.
     */
    public void setOffload(boolean csum, boolean tso4, boolean tso6) {
        int flags = (csum ? LinuxTun.TUN_F_CSUM : 0) | (tso4 ? LinuxTun.TUN_F_TSO4 : 0) | (tso6 ? LinuxTun.TUN_F_TSO6 : 0);
        setOffloadFlags(flags);
    }

    /** TUNSETOFFLOAD flags (linux/if_tun.h). TSO and USO need CSUM; the kernel takes USO4 and USO6 only together. */
    public static final int OFFLOAD_CSUM = LinuxTun.TUN_F_CSUM;
    public static final int OFFLOAD_TSO4 = LinuxTun.TUN_F_TSO4;
    public static final int OFFLOAD_TSO6 = LinuxTun.TUN_F_TSO6;
    /** TSO for flows using ECN: super-packets then carry GSO_ECN, and CWR belongs on the first segment only. */
    public static final int OFFLOAD_TSO_ECN = LinuxTun.TUN_F_TSO_ECN;
    public static final int OFFLOAD_USO4 = LinuxTun.TUN_F_USO4;
    public static final int OFFLOAD_USO6 = LinuxTun.TUN_F_USO6;
    /** What {@link #enableOffloads} asks for first. */
    public static final int OFFLOADS_ALL = OFFLOAD_CSUM | OFFLOAD_TSO4 | OFFLOAD_TSO6 | OFFLOAD_TSO_ECN
            | OFFLOAD_USO4 | OFFLOAD_USO6;
    /** What it falls back to on kernels without USO (before 6.2). */
    public static final int OFFLOADS_TCP = OFFLOAD_CSUM | OFFLOAD_TSO4 | OFFLOAD_TSO6 | OFFLOAD_TSO_ECN;

    /** Sets exactly these TUNSETOFFLOAD flags (0 turns every offload off: reads are then single packets). */
    public void setOffloadFlags(int flags) {
        LinuxTun.ioctl(fd.intValue(), LinuxTun.TUNSETOFFLOAD, flags, "TUNSETOFFLOAD " + name + " 0x" + Integer.toHexString(flags));
    }

    /** Like {@link #setOffloadFlags} but returns false where the kernel does not know a flag (EINVAL). */
    public boolean trySetOffloadFlags(int flags) {
        try {
            setOffloadFlags(flags);
            return true;
        } catch (TunException e) {
            if (e.errno() == LinuxTun.EINVAL) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Turns on every offload the segmenter handles — checksum, TSO for IPv4/IPv6 (with ECN), and UDP
     * segmentation where the kernel has it — and returns the flags the kernel took. Needs a device
     * opened with {@code vnetHeader}: without the header the reader could not tell a super-packet.
     */
    public int enableOffloads() {
        if (!vnetHeader) {
            throw new IllegalStateException("TUN " + name + " was opened without IFF_VNET_HDR; offloads need the header");
        }
        if (trySetOffloadFlags(OFFLOADS_ALL)) {
            return OFFLOADS_ALL;
        }
        setOffloadFlags(OFFLOADS_TCP);
        return OFFLOADS_TCP;
    }

    /** The virtio header size the device uses (TUNGETVNETHDRSZ; 10 unless someone changed it). */
    public int vnetHeaderSize() {
        try (Memory value = new Memory(4)) {
            LinuxTun.ioctl(fd.intValue(), LinuxTun.TUNGETVNETHDRSZ, value, "TUNGETVNETHDRSZ " + name);
            return value.getInt(0);
        }
    }

    /**
     * Sets the virtio header size (TUNSETVNETHDRSZ; at least 10). Braid keeps the default 10: the
     * 12-byte virtio 1.0 header only adds num_buffers, which a TUN reader has no use for.
     */
    public void setVnetHeaderSize(int bytes) {
        try (Memory value = new Memory(4)) {
            value.setInt(0, bytes);
            LinuxTun.ioctl(fd.intValue(), LinuxTun.TUNSETVNETHDRSZ, value, "TUNSETVNETHDRSZ " + name + " " + bytes);
        }
    }

    /**
     * Sets the device MTU (SIOCSIFMTU on a throw-away socket: the one link setting a standalone worker
     * makes itself, as wireguard-go does, because packets above the tunnel MTU cannot be sent).
     */
    public void setMtu(int mtuBytes) {
        int sock = LinuxTun.socket(LinuxTun.AF_INET, LinuxTun.SOCK_DGRAM);
        try (Memory ifr = new Memory(LinuxTun.IFREQ_BYTES)) {
            ifr.clear();
            byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ifr.write(0, bytes, 0, bytes.length);
            ifr.setInt(LinuxTun.IFNAMSIZ, mtuBytes);
            LinuxTun.ioctl(sock, LinuxTun.SIOCSIFMTU, ifr, "SIOCSIFMTU " + name + " " + mtuBytes);
        } finally {
            LinuxTun.closeQuietly(sock);
        }
    }

    /** Raises or drops the device's carrier, as a worker may do to say its path is dead. */
    public void setCarrier(boolean on) {
        try (Memory value = new Memory(4)) {
            value.setInt(0, on ? 1 : 0);
            LinuxTun.ioctl(fd.intValue(), LinuxTun.TUNSETCARRIER, value, "TUNSETCARRIER " + name);
        }
    }

    public String name() {
        return name;
    }

    public FileDescriptor fd() {
        return fd;
    }

    public boolean vnetHeader() {
        return vnetHeader;
    }

    /** Reads one packet into native memory; 0 when none is waiting (EAGAIN). */
    public int read(long address, int capacity) throws IOException {
        return fd.readAddress(address, 0, capacity);
    }

    /** Writes one packet from native memory; returns the bytes written. */
    public int write(long address, int length) throws IOException {
        return fd.writeAddress(address, 0, length);
    }

    @Override
    public void close() {
        try {
            fd.close();
        } catch (IOException ignored) {
            // closing a TUN fd cannot fail in a way we could act on
        }
    }

    static void checkName(String name) {
        if (name.isEmpty() || name.length() >= LinuxTun.IFNAMSIZ || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("TUN name '" + name + "': 1 to 15 characters of [A-Za-z0-9_.-]");
        }
    }
}
