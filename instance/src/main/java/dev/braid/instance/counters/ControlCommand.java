package dev.braid.instance.counters;

/** Commands a supervisor can put in a worker's control ring. Codes are stable. */
public enum ControlCommand {
    NONE(0),
    /** Start a new handshake now, as if REKEY_AFTER_TIME had passed. */
    REKEY(1),
    /** Send a keepalive now (proves the path without waiting for the interval). */
    KEEPALIVE(2);

    private final int code;

    ControlCommand(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ControlCommand byCode(int code) {
        for (ControlCommand c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return NONE;
    }
}
