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
        assertTrue(p.isNetworkAddress());
        assertEquals(p, IpPrefix.parseWithLength("10.0.0.0/24"));
        assertEquals(p, IpPrefix.parse("  10.0.0.0/24\t"), "surrounding white space is ignored");
    }

    @Test
    void bareAddressIsAHostPrefix() {
        assertEquals(32, IpPrefix.parse("10.0.55.1").prefixLength());
        assertEquals(128, IpPrefix.parse("fd00::1").prefixLength());
        assertTrue(IpPrefix.parse("10.0.55.1").isHost());
        assertFalse(IpPrefix.parse("10.0.55.0/31").isHost());
        assertEquals(IpPrefix.parse("10.0.55.1/32"), IpPrefix.parse("10.0.55.1"));
    }

    @Test
    void parseWithLengthRefusesABareAddressAndSaysHowToWriteIt() {
        IllegalArgumentException v4 = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parseWithLength("10.0.55.1"));
        assertEquals("'10.0.55.1' has no prefix length (write it as ADDRESS/LENGTH, e.g. 192.168.20.0/24)", v4.getMessage());
        IllegalArgumentException v6 = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parseWithLength("2001:db8::"));
        assertEquals("'2001:db8::' has no prefix length (write it as ADDRESS/LENGTH, e.g. 2001:db8::/64)", v6.getMessage());
    }

    /** The config loader passes these messages to the user as they are (`braid check` output). */
    @Test
    void messagesNameTheBadPart() {
        assertEquals("'192.168.300.0' is not an IPv4 or IPv6 address",
                assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("192.168.300.0/24")).getMessage());
        assertEquals("'192.168.10.0/33': the prefix length must be a number 0..32",
                assertThrows(IllegalArgumentException.class, () -> IpPrefix.parseWithLength("192.168.10.0/33")).getMessage());
        assertEquals("'2001:db8::/129': the prefix length must be a number 0..128",
                assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("2001:db8::/129")).getMessage());
        assertEquals("'1.2.3.4/': the prefix length must be a number 0..32",
                assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("1.2.3.4/")).getMessage());
        assertEquals("'fe80::1%eth0' is not an IPv4 or IPv6 address",
                assertThrows(IllegalArgumentException.class, () -> IpPrefix.parseAddress("fe80::1%eth0")).getMessage());
        assertEquals("'192.168.20.0/024': the prefix length has a leading zero; write /24",
                assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("192.168.20.0/024")).getMessage());
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
        assertEquals("2001:db8::1/128", IpPrefix.parse("2001:0DB8:0000:0000:0000:0000:0000:0001/128").toString());
        assertEquals("::1/128", IpPrefix.parse("::1/128").toString());
        assertEquals("fe80::/10", IpPrefix.parse("fe80::/10").toString());
        assertEquals("::102:304/128", IpPrefix.parse("::1.2.3.4/128").toString(), "a dotted quad as the last 32 bits");
    }

    @Test
    void ipv4MappedIpv6StaysIpv6() {
        IpPrefix mapped = IpPrefix.parse("::ffff:10.0.0.1/128");
        assertFalse(mapped.isIpv4());
        assertTrue(mapped.address() instanceof Inet6Address);
        assertEquals("::ffff:a00:1/128", mapped.toString());
        assertNotEquals(IpPrefix.parse("10.0.0.1/32"), mapped);
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
            "1:2:3:4:5:6:7", "::/129", "::g", "example.com", "10.0.0.0 /24", ":::",
            // ambiguous: the BSD short form (10.1 is 10.0.0.1 to inet_aton) and leading zeros (octal to some tools)
            "10.1/16", "010.0.0.0/8", "10.0.0.0/08", "10.0.0.0/00", "2001:db8::/064", "10.0.0.1.", "1.2.3.4/-1", "1.2.3.4/24/5", "2001:db8::1::2/64",
            "fe80::1%eth0/64", "1:2:3:4:5:6:7:8:9/64", "example.com/24",
            // a dotted quad is only the last 32 bits of an IPv6 address, never before "::"
            "1.2.3.4::/64", "1.2.3.4::5",
            // only ASCII digits: Java would read these as 1 and 24
            "\uff11.2.3.4/8", "1.2.3.4/\uff124", "\u0661.2.3.4", "\uff41::/16", "fd00::\u0661/128"})
    void rejectsMalformed(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(text));
        assertFalse(e.getMessage().isBlank());
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parseWithLength(text));
    }

    @Test
    void neverResolvesNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("localhost"));
        assertEquals("'localhost' is not an IPv4 or IPv6 address", e.getMessage());
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
        IpPrefix interfaceAddress = IpPrefix.parse("192.168.20.77/24");
        assertFalse(interfaceAddress.isNetworkAddress());
        assertEquals("192.168.20.77/24", interfaceAddress.toString(), "host bits are kept");
        assertEquals("192.168.20.0/24", interfaceAddress.network().toString());
        assertEquals("10.14.0.0/22", IpPrefix.parse("10.14.3.255/22").network().toString());
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
        IpPrefix pool = IpPrefix.parse("10.14.0.0/24");
        assertTrue(pool.overlaps(IpPrefix.parse("10.14.0.128/25")));
        assertTrue(pool.overlaps(IpPrefix.parse("10.14.0.9/32")));
        assertFalse(pool.overlaps(IpPrefix.parse("10.14.1.0/24")));
        assertFalse(pool.overlaps(IpPrefix.parse("::/0")), "families never overlap");
        assertFalse(IpPrefix.parse("::/0").overlaps(pool));
        assertTrue(IpPrefix.parse("2001:db8::/32").overlaps(IpPrefix.parse("2001:db8:1::/48")));
        assertFalse(IpPrefix.parse("2001:db8::/32").overlaps(IpPrefix.parse("2001:db9::/32")));
    }

    @Test
    void subnetsAndHosts() {
        IpPrefix pool = IpPrefix.parse("10.14.0.0/24");
        assertEquals(64, pool.subnetCount(30));
        assertEquals(1, pool.subnetCount(24));
        assertEquals(0, pool.subnetCount(20), "shorter than the prefix");
        assertEquals(0, pool.subnetCount(33), "past the address");
        assertEquals("10.14.0.0/30", pool.subnet(30, 0).toString());
        assertEquals("10.14.0.4/30", pool.subnet(30, 1).toString());
        assertEquals("10.14.0.252/30", pool.subnet(30, 63).toString());
        assertThrows(IllegalArgumentException.class, () -> pool.subnet(30, 64));
        assertThrows(IllegalArgumentException.class, () -> pool.subnet(30, -1));
        assertThrows(IllegalArgumentException.class, () -> pool.subnet(20, 0));
        assertEquals("10.14.0.4/30", IpPrefix.parse("10.14.0.77/24").subnet(30, 1).toString(), "counted from the network address");
        assertEquals("10.14.0.5/30", pool.subnet(30, 1).withHost(1).toString());
        assertEquals("10.14.0.6/30", pool.subnet(30, 1).withHost(2).toString());
        assertEquals("10.14.0.4/30", IpPrefix.parse("10.14.0.6/30").withHost(0).toString());
        assertThrows(IllegalArgumentException.class, () -> pool.subnet(30, 1).withHost(4));
        assertThrows(IllegalArgumentException.class, () -> pool.withHost(-1));
        assertEquals("2001:db8:0:3::/64", IpPrefix.parse("2001:db8::/48").subnet(64, 3).toString());
        assertEquals("255.255.255.252/30", IpPrefix.parse("0.0.0.0/0").subnet(30, (1L << 30) - 1).toString());
    }

    @Test
    void ipv6SubnetCountsSaturateAndKeepTheFamily() {
        assertEquals(1L << 62, IpPrefix.parse("2001:db8::/64").subnetCount(126));
        assertEquals(Long.MAX_VALUE, IpPrefix.parse("2001:db8::/64").subnetCount(127));
        assertEquals(Long.MAX_VALUE, IpPrefix.parse("::/0").subnetCount(128));
        assertEquals("2001:db8::7fff:ffff:ffff:ffff/64", IpPrefix.parse("2001:db8::/64").withHost(Long.MAX_VALUE).toString());
        // (2^63 - 2) * 4 = 2^65 - 8: past 64 bits, into the fourth group
        assertEquals("2001:db8:0:1:ffff:ffff:ffff:fff8/126",
                IpPrefix.parse("2001:db8::/62").subnet(126, Long.MAX_VALUE - 1).toString());
        IpPrefix mapped = IpPrefix.parse("::ffff:10.0.0.0/120").withHost(5);
        assertTrue(mapped.isIpv6(), "an IPv4-mapped result stays IPv6");
        assertEquals("::ffff:a00:5/120", mapped.toString());
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
