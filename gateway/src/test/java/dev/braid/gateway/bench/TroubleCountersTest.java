package dev.braid.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

class TroubleCountersTest {
    @Test
    void udpErrorsComeFromTheSecondUdpLine() {
        String snmp = """
                Ip: Forwarding DefaultTTL InReceives
                Ip: 1 64 1000
                Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
                Udp: 531 2 17 534 15 1 0 0 0
                UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
                UdpLite: 0 0 0 0 0 0 0 0 0
                """;
        Map<String, Long> udp = TroubleCounters.udp(snmp);
        assertEquals(Map.of("InErrors", 17L, "RcvbufErrors", 15L, "SndbufErrors", 1L, "MemErrors", 0L), udp);
        assertTrue(TroubleCounters.udp("Ip: 1\n").isEmpty());
    }

    @Test
    void linkDropsSkipLoopback() {
        String json = """
                [{"ifname":"lo","stats64":{"rx":{"dropped":9},"tx":{"dropped":9}}},
                 {"ifname":"braid0","stats64":{"rx":{"dropped":0},"tx":{"dropped":412}}},
                 {"ifname":"ua","stats64":{"rx":{"dropped":3},"tx":{"dropped":0}}}]
                """;
        Map<String, Long> drops = TroubleCounters.linkDrops(json);
        assertEquals(412L, drops.get("braid0.tx_dropped"));
        assertEquals(3L, drops.get("ua.rx_dropped"));
        assertFalse(drops.containsKey("lo.rx_dropped"));
        assertTrue(TroubleCounters.linkDrops("not json").isEmpty());
    }

    @Test
    void deltaKeepsOnlyWhatChanged() {
        ObjectNode d = TroubleCounters.delta(Map.of("a.x", 5L, "a.y", 7L), Map.of("a.x", 5L, "a.y", 9L, "b.z", 4L));
        assertEquals(2, d.size());
        assertEquals(2, d.path("a.y").asLong());
        assertEquals(4, d.path("b.z").asLong());
    }
}
