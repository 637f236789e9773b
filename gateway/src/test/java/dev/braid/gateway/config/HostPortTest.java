package dev.braid.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.braid.gateway.config.HostPort.HostKind;

class HostPortTest {
    @Test
    void ipv4WithAndWithoutPort() {
        assertEquals(new HostPort("203.0.113.7", 51900, HostKind.IPV4), HostPort.parse("203.0.113.7:51900", 51820));
        assertEquals(new HostPort("203.0.113.7", 51820, HostKind.IPV4), HostPort.parse("203.0.113.7", 51820));
    }

    @Test
    void ipv6InBracketsOrBare() {
        HostPort withPort = HostPort.parse("[2001:db8::7]:51900", 51820);
        assertEquals(HostKind.IPV6, withPort.kind());
        assertEquals(51900, withPort.port());
        assertEquals("[2001:db8::7]:51900", withPort.toString());
        assertEquals(51820, HostPort.parse("[2001:db8::7]", 51820).port());
        assertEquals(51820, HostPort.parse("2001:db8::7", 51820).port());
        assertEquals("[2001:db8::7]:51900", HostPort.parse("[2001:DB8:0::7]:51900", 1).toString(), "printed in the RFC 5952 form");
        assertEquals(HostKind.IPV6, HostPort.parse("[::ffff:203.0.113.7]:51900", 1).kind(), "IPv4-mapped stays IPv6");
    }

    @Test
    void dnsNames() {
        HostPort name = HostPort.parse("vpn.example.net:51820", 1);
        assertEquals(HostKind.DNS_NAME, name.kind());
        assertEquals("vpn.example.net", name.host());
        assertEquals(HostKind.DNS_NAME, HostPort.parse("localhost:9586", 0).kind());
    }

    @Test
    void refusals() {
        assertMessage("2001:db8::7:51820:x", "[2001:db8::1]:51820");
        assertMessage("203.0.113.7:0", "1..65535");
        assertMessage("203.0.113.7:65536", "1..65535");
        assertMessage("203.0.113.7:http", "1..65535");
        assertMessage("203.0.113.300", "not a valid IPv4 address");
        assertMessage("[203.0.113.7]:1", "not an IPv6 address");
        assertMessage("[1.2.3.4::]:1", "not an IPv6 address"); // a dotted quad only as the last 32 bits
        assertMessage("[fe80::1%eth0]:1", "not an IPv6 address");
        assertMessage("vpn_gw.example.net", "valid DNS name");
        assertMessage("-vpn.example.net", "valid DNS name");
        assertMessage(":51820", "host is empty");
    }

    @Test
    void aPortIsRequiredWhenThereIsNoDefault() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse("127.0.0.1", 0));
        assertTrue(e.getMessage().contains("names no port"), e.getMessage());
    }

    private static void assertMessage(String text, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text, 51820), text);
        assertTrue(e.getMessage().contains(fragment), text + " -> " + e.getMessage());
    }
}
