package dev.braid.instance.tun;

/** A TUN operation the kernel refused; carries errno and says what was being done. */
public final class TunException extends RuntimeException {
    private final int errno;

    public TunException(String operation, int errno) {
        super(operation + " failed: " + describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    private static String describe(int errno) {
        return switch (errno) {
            case LinuxTun.EPERM -> "operation not permitted (errno 1; needs CAP_NET_ADMIN)";
            case LinuxTun.ENOENT -> "no such file (errno 2; is the tun module loaded, /dev/net/tun present?)";
            case LinuxTun.EBUSY -> "device busy (errno 16; another process has this TUN open)";
            case LinuxTun.ENODEV -> "no such device (errno 19)";
            case LinuxTun.EINVAL -> "invalid argument (errno 22; flags do not match the existing device?)";
            default -> "errno " + errno;
        };
    }
}
