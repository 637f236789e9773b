package dev.braid.ecmp;

/**
 * The kernel refused a netlink request (or the socket itself failed). Carries the errno, its name,
 * and the reason the kernel gave through the extended ack ("Nexthop device is not up"), so the
 * message says what was asked, what failed and why, e.g.
 * {@code add nexthop 1 dev t0 (RTM_NEWNEXTHOP): ENETDOWN (Network is down): Carrier for nexthop device is down}.
 * Created only at the socket boundary ({@link NetlinkSocket}, {@link Netlink}); everything above
 * handles these, never raw errno values.
 */
public class NetlinkException extends RuntimeException {
    private final int errno;
    private final String operation;
    private final String kernelMessage;

    public NetlinkException(String operation, int errno, String kernelMessage) {
        super(format(operation, errno, kernelMessage));
        this.errno = errno;
        this.operation = operation;
        this.kernelMessage = kernelMessage == null ? "" : kernelMessage;
    }

    private static String format(String operation, int errno, String kernelMessage) {
        String description = Errno.describe(errno);
        StringBuilder sb = new StringBuilder(operation).append(": ").append(Errno.name(errno));
        if (!description.isEmpty()) {
            sb.append(" (").append(description).append(')');
        }
        if (kernelMessage != null && !kernelMessage.isBlank()) {
            sb.append(": ").append(kernelMessage.strip());
        }
        return sb.toString();
    }

    /** The positive errno value (ENODEV = 19, ...). */
    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }

    /** What was asked, e.g. "add nexthop 1 dev t0 (RTM_NEWNEXTHOP)". */
    public String operation() {
        return operation;
    }

    /** The kernel's extended-ack text, empty when it gave none. */
    public String kernelMessage() {
        return kernelMessage;
    }

    /** True for the errno values that mean "the thing is not there" when deleting. */
    public boolean isAlreadyGone() {
        return errno == Errno.ENODEV || errno == Errno.ESRCH || errno == Errno.ENOENT
                || errno == Errno.EADDRNOTAVAIL;
    }
}
