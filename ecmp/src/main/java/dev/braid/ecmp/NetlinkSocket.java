package dev.braid.ecmp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * An AF_NETLINK / NETLINK_ROUTE socket, opened through JNA: the one place where errno from the C
 * library becomes a {@link NetlinkException}. The socket belongs to the network namespace of the
 * thread that created it, for its whole life, whichever thread uses it later.
 *
 * <p>Options: NETLINK_EXT_ACK (the kernel explains refusals), NETLINK_CAP_ACK (errors do not echo
 * the whole request), NETLINK_GET_STRICT_CHK (dump requests are checked and filtered strictly), and
 * a receive timeout so a reply that never comes becomes an error instead of a hang.
 */
final class NetlinkSocket implements AutoCloseable {
    private static final int SOCKADDR_NL_SIZE = 12;
    private static final int RECEIVE_BUFFER_BYTES = 1 << 20;

    private final int fd;
    private final int portId;
    private final Duration receiveTimeout;
    private boolean closed;

    private NetlinkSocket(int fd, int portId, Duration receiveTimeout) {
        this.fd = fd;
        this.portId = portId;
        this.receiveTimeout = receiveTimeout;
    }

    static NetlinkSocket open(Duration receiveTimeout) {
        LibC c = LibC.INSTANCE;
        int fd;
        try {
            fd = c.socket(Rtnl.AF_NETLINK, Rtnl.SOCK_RAW | Rtnl.SOCK_CLOEXEC, Rtnl.NETLINK_ROUTE);
        } catch (LastErrorException e) {
            throw new NetlinkException("open netlink socket (socket AF_NETLINK NETLINK_ROUTE)", e.getErrorCode(), "");
        }
        try {
            setInt(fd, Rtnl.SOL_NETLINK, Rtnl.NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
            setInt(fd, Rtnl.SOL_NETLINK, Rtnl.NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
            setInt(fd, Rtnl.SOL_NETLINK, Rtnl.NETLINK_GET_STRICT_CHK, 1, "NETLINK_GET_STRICT_CHK");
            setInt(fd, Rtnl.SOL_SOCKET, Rtnl.SO_RCVBUF, RECEIVE_BUFFER_BYTES, "SO_RCVBUF");
            setReceiveTimeout(fd, receiveTimeout);
            byte[] address = sockaddrNl(0);
            try {
                c.bind(fd, address, address.length);
            } catch (LastErrorException e) {
                throw new NetlinkException("bind netlink socket", e.getErrorCode(), "");
            }
            int[] length = {address.length};
            try {
                c.getsockname(fd, address, length);
            } catch (LastErrorException e) {
                throw new NetlinkException("getsockname on netlink socket", e.getErrorCode(), "");
            }
            int port = ByteBuffer.wrap(address).order(ByteOrder.nativeOrder()).getInt(4);
            return new NetlinkSocket(fd, port, receiveTimeout);
        } catch (RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    /** The port id the kernel gave this socket: replies to us carry it. */
    int portId() {
        return portId;
    }

    /** Sends {@code length} bytes from the start of {@code message}, a direct buffer. */
    void send(ByteBuffer message, int length, String operation) {
        byte[] kernel = sockaddrNl(0);
        Pointer p = Native.getDirectBufferPointer(message);
        for (int attempt = 0; ; attempt++) {
            try {
                long sent = LibC.INSTANCE.sendto(fd, p, new NativeLong(length), 0, kernel, kernel.length).longValue();
                if (sent != length) {
                    throw new NetlinkException(operation + " (sent " + sent + " of " + length + " bytes)", Errno.EIO, "");
                }
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EINTR && attempt < 10) {
                    continue;
                }
                throw new NetlinkException(operation + " (send)", e.getErrorCode(), "");
            }
        }
    }

    /**
     * Receives one datagram into {@code into} (a direct buffer) and returns its length. A datagram
     * larger than the buffer is an error rather than a silently cut message.
     */
    int receive(ByteBuffer into, String operation) {
        Pointer p = Native.getDirectBufferPointer(into);
        for (int attempt = 0; ; attempt++) {
            long n;
            try {
                n = LibC.INSTANCE.recv(fd, p, new NativeLong(into.capacity()), Rtnl.MSG_TRUNC).longValue();
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == Errno.EINTR && attempt < 10) {
                    continue;
                }
                if (errno == Errno.EAGAIN) {
                    throw new NetlinkException(operation, Errno.ETIMEDOUT,
                            "no reply from the kernel within " + receiveTimeout.toMillis() + " ms");
                }
                throw new NetlinkException(operation + " (receive)", errno,
                        errno == Errno.ENOBUFS ? "receive queue overflowed; replies were lost" : "");
            }
            if (n > into.capacity()) {
                throw new NetlinkException(operation, Errno.EMSGSIZE,
                        "reply of " + n + " bytes exceeds the " + into.capacity() + "-byte receive buffer");
            }
            return (int) n;
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeQuietly(fd);
        }
    }

    private static void setInt(int fd, int level, int option, int value, String name) {
        try (Memory m = new Memory(4)) {
            m.setInt(0, value);
            LibC.INSTANCE.setsockopt(fd, level, option, m, 4);
        } catch (LastErrorException e) {
            throw new NetlinkException("setsockopt " + name + " on netlink socket", e.getErrorCode(),
                    option == Rtnl.NETLINK_EXT_ACK || option == Rtnl.NETLINK_GET_STRICT_CHK
                            ? "this kernel is older than Braid supports (Braid needs Linux 5.13 or newer)" : "");
        }
    }

    private static void setReceiveTimeout(int fd, Duration timeout) {
        // struct timeval { long tv_sec; long tv_usec; } in the C library's native long size
        int longSize = NativeLong.SIZE;
        try (Memory m = new Memory(2L * longSize)) {
            long seconds = timeout.toSeconds();
            long micros = timeout.toNanosPart() / 1000;
            if (longSize == 8) {
                m.setLong(0, seconds);
                m.setLong(8, micros);
            } else {
                m.setInt(0, (int) seconds);
                m.setInt(4, (int) micros);
            }
            LibC.INSTANCE.setsockopt(fd, Rtnl.SOL_SOCKET, Rtnl.SO_RCVTIMEO, m, 2 * longSize);
        } catch (LastErrorException e) {
            throw new NetlinkException("setsockopt SO_RCVTIMEO on netlink socket", e.getErrorCode(), "");
        }
    }

    /** struct sockaddr_nl { u16 family; u16 pad; u32 pid; u32 groups; }. */
    private static byte[] sockaddrNl(int pid) {
        ByteBuffer b = ByteBuffer.allocate(SOCKADDR_NL_SIZE).order(ByteOrder.nativeOrder());
        b.putShort((short) Rtnl.AF_NETLINK).putShort((short) 0).putInt(pid).putInt(0);
        return b.array();
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException ignored) {
            // nothing useful to do about a failing close of a socket we are abandoning
        }
    }
}
