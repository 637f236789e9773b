package dev.braid.ecmp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpPrefixTest {

    @Test
    void parsesIpv4WithLength() {
        IpPrefix p = IpPrefix.parse("10.0.0.0/24");
        assertTrue(p.isIpv4());
        assertEquals(24, p.prefixLength());
        assertArrayEquals(new byte[] {10, 0, 0, 0}, p.address().getAddress());
        assertEquals("10.0.0.0/24", p.toString());
    }

    @Test
    void bareAddressIsAHostPrefix() {
        assertEquals(32, IpPrefix.parse("10.0.55.1").prefixLength());
        assertEquals(128, IpPrefix.parse("fd00::1").prefixLength());
        assertTrue(IpPrefix.parse("10.0.55.1").isHost());
        assertFalse(IpPrefix.parse("10.0.55.0/31").isHost());
    }

    @Test
    void parsesIpv6Forms() {
        assertEquals("fd00:20::/64", IpPrefix.parse("fd00:20:0:0::/64").toString());
        assertEquals("::/0", IpPrefix.parse("::/0").toString());
        assertEquals("::1/128", IpPrefix.parse("0:0:0:0:0:0:0:1/128").toString());
        byte[] mapped = IpPrefix.parse("::ffff:10.1.2.3/128").address().getAddress();
        assertEquals(16, mapped.length, "IPv4-mapped stays IPv6");
        assertEquals(10, mapped[12]);
        assertEquals(3, mapped[15]);
        assertEquals("2001:db8::1/128", IpPrefix.parse("2001:DB8::1/128").toString());
    }

    @Test
    void formatsIpv6AsRfc5952() {
        assertEquals("2001:db8::1:0:0:1", IpPrefix.parse("2001:db8:0:0:1:0:0:1").addressText());
        assertEquals("2001:db8:0:1:1:1:1:1", IpPrefix.parse("2001:db8:0:1:1:1:1:1").addressText(),
                "a single zero group is not shortened");
        assertEquals("2001:0:0:1::1", IpPrefix.parse("2001:0:0:1:0:0:0:1").addressText(),
                "the longest run is shortened");
        assertEquals("1::", IpPrefix.parse("1:0:0:0:0:0:0:0").addressText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/24", "10.0.0", "10.0.0.0.0", "256.1.1.1", "10.0.0.01", "10.0.0.0/33",
            "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/2x", "1::2::3", "fe80::1%eth0", "12345::", "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7", "::/129", "::g", "example.com", "10.0.0.0 /24", ":::"})
    void rejectsMalformed(String text) {
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(text));
    }

    @Test
    void neverResolvesNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("localhost"));
        assertTrue(e.getMessage().contains("not an IP address"), e.getMessage());
    }

    @Test
    void parseNetworkRefusesHostBitsAndSuggestsTheNetwork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IpPrefix.parseNetwork("192.168.10.1/24"));
        assertTrue(e.getMessage().contains("192.168.10.0/24"), e.getMessage());
        assertEquals(IpPrefix.parse("192.168.10.0/24"), IpPrefix.parseNetwork("192.168.10.0/24"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parseNetwork("fd00::1/64"));
        assertEquals("fd00::/64", IpPrefix.parseNetwork("fd00::/64").toString());
    }

    @Test
    void networkClearsHostBits() {
        assertEquals("10.14.0.0/30", IpPrefix.parse("10.14.0.1/30").network().toString());
        assertEquals("10.14.0.4/30", IpPrefix.parse("10.14.0.7/30").network().toString());
        assertEquals("0.0.0.0/0", IpPrefix.parse("1.2.3.4/0").network().toString());
        assertEquals("fd00:1:2::/48", IpPrefix.parse("fd00:1:2:3::5/48").network().toString());
        assertEquals("fd00:1:2:2::/63", IpPrefix.parse("fd00:1:2:3::5/63").network().toString());
        assertFalse(IpPrefix.parse("10.14.0.1/30").isNetworkAddress());
        assertTrue(IpPrefix.parse("10.14.0.1/32").isNetworkAddress());
    }

    @Test
    void containsAddressesAndPrefixes() {
        IpPrefix lan = IpPrefix.parse("192.168.20.0/24");
        assertTrue(lan.contains(IpPrefix.parseAddress("192.168.20.255")));
        assertFalse(lan.contains(IpPrefix.parseAddress("192.168.21.0")));
        assertFalse(lan.contains(IpPrefix.parseAddress("::ffff:192.168.20.1")), "families never mix");
        assertTrue(lan.contains(IpPrefix.parse("192.168.20.128/25")));
        assertFalse(IpPrefix.parse("192.168.20.128/25").contains(lan));
        assertTrue(IpPrefix.parse("0.0.0.0/0").contains(lan));
        assertFalse(IpPrefix.parse("::/0").contains(lan));
        IpPrefix odd = IpPrefix.parse("10.0.0.0/9");
        assertTrue(odd.contains(IpPrefix.parseAddress("10.127.255.255")));
        assertFalse(odd.contains(IpPrefix.parseAddress("10.128.0.0")));
    }

    @Test
    void overlapsIsSymmetricContainment() {
        IpPrefix a = IpPrefix.parse("10.0.0.0/8");
        IpPrefix b = IpPrefix.parse("10.1.0.0/16");
        IpPrefix c = IpPrefix.parse("11.0.0.0/8");
        assertTrue(a.overlaps(b));
        assertTrue(b.overlaps(a));
        assertFalse(a.overlaps(c));
        assertTrue(IpPrefix.parse("fd00::/8").overlaps(IpPrefix.parse("fd12::/16")));
        assertFalse(IpPrefix.parse("fd00::/16").overlaps(IpPrefix.parse("fd01::/16")));
    }

    @Test
    void equalityIgnoresScopeIdAndComparesByValue() throws Exception {
        byte[] ll = IpPrefix.parseAddress("fe80::1").getAddress();
        IpPrefix scoped = new IpPrefix(Inet6Address.getByAddress(null, ll, 3), 64);
        assertEquals(IpPrefix.parse("fe80::1/64"), scoped);
        assertNotEquals(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("10.0.0.0/25"));
    }

    @Test
    void sortsV4BeforeV6ThenByAddressThenLength() {
        List<IpPrefix> list = new ArrayList<>(List.of(IpPrefix.parse("fd00::/8"), IpPrefix.parse("10.0.0.0/16"),
                IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("9.255.0.0/16"), IpPrefix.parse("200.0.0.0/8")));
        Collections.sort(list);
        assertEquals("[9.255.0.0/16, 10.0.0.0/8, 10.0.0.0/16, 200.0.0.0/8, fd00::/8]", list.toString());
    }

    @Test
    void constructorChecksLength() {
        InetAddress v4 = IpPrefix.parseAddress("10.0.0.1");
        assertThrows(IllegalArgumentException.class, () -> new IpPrefix(v4, 33));
        assertThrows(IllegalArgumentException.class, () -> new IpPrefix(v4, -1));
        assertEquals(IpPrefix.parse("10.0.0.1/32"), IpPrefix.host(v4));
    }
}
