package dev.braid.ecmp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few C library calls the netlink socket and the namespace thread need. Every call that can
 * fail declares {@link LastErrorException}, so JNA captures errno right after the call; the callers
 * ({@link NetlinkSocket}, {@link NamespaceThread}) are the only places that turn it into exceptions.
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int bind(int fd, byte[] address, int addressLength) throws LastErrorException;

    int getsockname(int fd, byte[] address, int[] addressLength) throws LastErrorException;

    int setsockopt(int fd, int level, int name, Pointer value, int valueLength) throws LastErrorException;

    NativeLong sendto(int fd, Pointer buffer, NativeLong length, int flags, byte[] address, int addressLength)
            throws LastErrorException;

    NativeLong recv(int fd, Pointer buffer, NativeLong length, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int open(String path, int flags) throws LastErrorException;

    int setns(int fd, int namespaceType) throws LastErrorException;

    String strerror(int errno);

    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;
}
