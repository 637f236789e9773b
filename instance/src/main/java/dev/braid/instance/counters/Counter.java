package dev.braid.instance.counters;

/**
 * Every number a worker publishes, with a stable id (its slot in the counters file). Ids are never
 * renumbered or reused: a supervisor of one version must read workers of another correctly.
 * Names follow Prometheus conventions: {@link #metricLabel} of a drop counter is its `reason` label.
 */
public enum Counter {
    RX_BYTES(0, Kind.TOTAL, "tunnel payload bytes received from the peer and written to the TUN"),
    RX_PACKETS(1, Kind.TOTAL, "transport packets received and authenticated"),
    TX_BYTES(2, Kind.TOTAL, "tunnel payload bytes read from the TUN and sent to the peer"),
    TX_PACKETS(3, Kind.TOTAL, "transport packets sent"),
    RX_UDP_BYTES(4, Kind.TOTAL, "UDP payload bytes received on the worker's socket, all kinds"),
    TX_UDP_BYTES(5, Kind.TOTAL, "UDP payload bytes sent from the worker's socket, all kinds"),
    HANDSHAKE_INITIATIONS_SENT(6, Kind.TOTAL, "handshake initiations sent"),
    HANDSHAKE_INITIATIONS_RECEIVED(7, Kind.TOTAL, "valid handshake initiations received"),
    HANDSHAKE_RESPONSES_SENT(8, Kind.TOTAL, "handshake responses sent"),
    HANDSHAKE_RESPONSES_RECEIVED(9, Kind.TOTAL, "valid handshake responses received"),
    HANDSHAKES_COMPLETED(10, Kind.TOTAL, "sessions established (either role)"),
    COOKIE_REPLIES_SENT(11, Kind.TOTAL, "cookie replies sent (under load)"),
    COOKIE_REPLIES_RECEIVED(12, Kind.TOTAL, "valid cookie replies received"),
    KEEPALIVES_SENT(13, Kind.TOTAL, "keepalive (empty transport) packets sent"),
    KEEPALIVES_RECEIVED(14, Kind.TOTAL, "keepalive packets received"),
    LAST_HANDSHAKE_EPOCH_MILLIS(15, Kind.GAUGE, "wall-clock time of the last completed handshake, 0 if none"),
    LAST_RECEIVE_MONOTONIC_NANOS(16, Kind.GAUGE, "CLOCK_MONOTONIC time of the last authenticated packet received"),
    LAST_SEND_MONOTONIC_NANOS(17, Kind.GAUGE, "CLOCK_MONOTONIC time of the last packet sent to the peer"),
    SESSION_ESTABLISHED(18, Kind.GAUGE, "1 while the worker holds a usable session keypair"),
    LOOP_HEARTBEAT_MONOTONIC_NANOS(19, Kind.GAUGE, "CLOCK_MONOTONIC time of the loop's last timer tick"),
    ENDPOINT_SEQUENCE(20, Kind.GAUGE, "seqlock over the endpoint slots: odd while being written"),
    ENDPOINT_ADDRESS_HIGH(21, Kind.GAUGE, "peer endpoint address, first 8 of 16 bytes (IPv4-mapped for v4)"),
    ENDPOINT_ADDRESS_LOW(22, Kind.GAUGE, "peer endpoint address, last 8 of 16 bytes"),
    ENDPOINT_PORT(23, Kind.GAUGE, "peer endpoint UDP port, 0 when unknown"),
    STAGED_PACKETS(24, Kind.GAUGE, "packets waiting for a session"),
    LISTEN_PORT(25, Kind.GAUGE, "the worker's UDP port"),
    CPU(26, Kind.GAUGE, "the CPU the loop thread is pinned to, -1 when not pinned"),
    HANDSHAKE_ROLE(27, Kind.GAUGE, "1 if the current session was initiated by this worker, 2 if by the peer"),
    REKEYS_FORCED(28, Kind.TOTAL, "rekeys requested through the control ring"),
    AEAD(29, Kind.GAUGE, "the transport AEAD in use: 1 = the JDK's intrinsics, 2 = the JDK's Cipher (fallback), 0 = not yet known"),

    DROP_BAD_LENGTH(64, Kind.DROP, "bad_length"),
    DROP_BAD_TYPE(65, Kind.DROP, "bad_type"),
    DROP_BAD_MAC1(66, Kind.DROP, "bad_mac1"),
    DROP_BAD_MAC2(67, Kind.DROP, "bad_mac2"),
    DROP_HANDSHAKE_FAILED(68, Kind.DROP, "handshake_failed"),
    DROP_UNKNOWN_PEER(69, Kind.DROP, "unknown_peer"),
    DROP_STALE_TIMESTAMP(70, Kind.DROP, "stale_timestamp"),
    DROP_RATE_LIMITED(71, Kind.DROP, "rate_limited"),
    DROP_UNKNOWN_RECEIVER_INDEX(72, Kind.DROP, "unknown_receiver_index"),
    DROP_DECRYPT_FAILED(73, Kind.DROP, "decrypt_failed"),
    DROP_REPLAYED_COUNTER(74, Kind.DROP, "replayed_counter"),
    DROP_KEYPAIR_EXPIRED(75, Kind.DROP, "keypair_expired"),
    DROP_DISALLOWED_SOURCE(76, Kind.DROP, "disallowed_source_ip"),
    DROP_NOT_IP(77, Kind.DROP, "not_ip"),
    DROP_TUN_WRITE_FAILED(78, Kind.DROP, "tun_write_failed"),
    DROP_UDP_SEND_FAILED(79, Kind.DROP, "udp_send_failed"),
    DROP_NO_SESSION(80, Kind.DROP, "no_session"),
    DROP_NO_ENDPOINT(81, Kind.DROP, "no_endpoint"),
    DROP_DISALLOWED_DESTINATION(82, Kind.DROP, "disallowed_destination_ip"),
    DROP_TOO_BIG(83, Kind.DROP, "too_big"),
    DROP_BAD_COOKIE_REPLY(84, Kind.DROP, "bad_cookie_reply"),
    DROP_UNDER_LOAD(85, Kind.DROP, "under_load"),
    DROP_MALFORMED_TUN_PACKET(86, Kind.DROP, "malformed_tun_packet"),
    DROP_SOCKET_RECEIVE_OVERFLOW(87, Kind.DROP, "socket_receive_overflow");

    /** How a supervisor should export the value. */
    public enum Kind { TOTAL, GAUGE, DROP }

    public static final int SLOT_COUNT = 128;

    /** Values of {@link #AEAD}. */
    public static final long AEAD_JDK_INTRINSICS = 1;
    public static final long AEAD_JDK_CIPHER = 2;

    /** {@link #AEAD}'s value as status and /metrics name it. */
    public static String aeadName(long value) {
        return value == AEAD_JDK_INTRINSICS ? "jdk-intrinsics" : value == AEAD_JDK_CIPHER ? "jdk-cipher" : "unknown";
    }

    private static final Counter[] BY_ID = new Counter[SLOT_COUNT];

    static {
        for (Counter c : values()) {
            if (BY_ID[c.id] != null) {
                throw new ExceptionInInitializerError("counter id " + c.id + " used twice");
            }
            BY_ID[c.id] = c;
        }
    }

    private final int id;
    private final Kind kind;
    private final String description;

    Counter(int id, Kind kind, String description) {
        this.id = id;
        this.kind = kind;
        this.description = description;
    }

    public int id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    /** For drops: the `reason` label value; otherwise a sentence on what is counted. */
    public String description() {
        return description;
    }

    public String metricLabel() {
        return kind == Kind.DROP ? description : name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Counter byId(int id) {
        return id >= 0 && id < SLOT_COUNT ? BY_ID[id] : null;
    }
}
