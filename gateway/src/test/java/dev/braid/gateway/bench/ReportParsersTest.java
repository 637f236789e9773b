package dev.braid.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** iperf3 JSON (shapes of iperf 3.12's -J output) and iputils ping output. */
class ReportParsersTest {
    static final String TCP = """
            {"start": {}, "intervals": [
              {"streams": [], "sum": {"start": 0, "end": 1, "bits_per_second": 9.0e8, "omitted": true}},
              {"streams": [], "sum": {"start": 0, "end": 1, "bits_per_second": 4.0e8, "omitted": false}},
              {"streams": [], "sum": {"start": 1, "end": 2, "bits_per_second": 6.0e8, "omitted": false}}],
             "end": {"sum_sent": {"bytes": 130000000, "bits_per_second": 5.2e8, "retransmits": 17},
                     "sum_received": {"seconds": 2.0, "bytes": 125000000, "bits_per_second": 5.0e8}}}
            """;

    @Test
    void tcpKeepsTheReceiverSideAndDropsOmittedSeconds() {
        IperfReport.Tcp t = IperfReport.tcp(TCP);
        assertEquals(5.0e8, t.receivedBitsPerSecond());
        assertEquals(125000000L, t.receivedBytes());
        assertEquals(2.0, t.receivedSeconds());
        assertEquals(17, t.retransmits());
        assertEquals(List.of(4.0e8, 6.0e8), t.perSecondBitsPerSecond());
        assertEquals(5.0e8, t.toJson().path("per_second_bits_per_second").path("p50").asDouble());
    }

    @Test
    void udpReadsTheReceiversRateAndLoss() {
        IperfReport.Udp u = IperfReport.udp("""
                {"end": {"sum_sent": {"bits_per_second": 2.8e9, "packets": 1000, "lost_packets": 0},
                         "sum_received": {"bits_per_second": 8.0e8, "packets": 1000, "lost_packets": 720,
                                          "lost_percent": 72.0, "jitter_ms": 0.29}}}
                """);
        assertEquals(8.0e8, u.receivedBitsPerSecond());
        assertEquals(2.8e9, u.sentBitsPerSecond());
        assertEquals(72.0, u.lostPercent());
        assertEquals(720, u.lostPackets());
        assertEquals(0.29, u.jitterMs());
    }

    @Test
    void iperfErrorsSurfaceWithIperfsOwnMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IperfReport.udp("{\"start\": {}, \"end\": {}, \"error\": \"unable to connect to server: No route to host\"}"));
        assertTrue(e.getMessage().contains("No route to host"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IperfReport.tcp("iperf3: error - not json"));
    }

    @Test
    void pingRepliesAndLossesAreCounted() {
        PingReport p = PingReport.parse("""
                PING 10.0.55.2 (10.0.55.2) from 10.0.55.1 : 56(84) bytes of data.
                64 bytes from 10.0.55.2: icmp_seq=1 ttl=64 time=0.412 ms
                64 bytes from 10.0.55.2: icmp_seq=2 ttl=64 time=1.03 ms
                64 bytes from 10.0.55.2: icmp_seq=4 ttl=64 time=12.5 ms

                --- 10.0.55.2 ping statistics ---
                4 packets transmitted, 3 received, 25% packet loss, time 31ms
                rtt min/avg/max/mdev = 0.412/4.647/12.500/5.573 ms
                """);
        assertEquals(4, p.transmitted());
        assertEquals(3, p.received());
        assertEquals(List.of(0.412, 1.03, 12.5), p.rttMs());
        assertEquals(25.0, p.lostPercent());
        assertEquals(1.03, p.toJson().path("rtt_ms").path("p50").asDouble());
    }

    @Test
    void pingWithoutSummaryIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> PingReport.parse("ping: connect: Network is unreachable"));
    }
}
