package dev.braid.ecmp;

/**
 * The kernel does not know the link type asked for (no {@code dummy} module, for instance): the
 * caller can fall back (Braid puts the floating address on {@code lo} instead).
 */
public final class LinkTypeUnsupportedException extends NetlinkException {
    private final String kind;

    public LinkTypeUnsupportedException(String operation, String kind, int errno, String kernelMessage) {
        super(operation, errno, kernelMessage);
        this.kind = kind;
    }

    /** The link type that was refused, e.g. "dummy". */
    public String kind() {
        return kind;
    }
}
