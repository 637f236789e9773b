package dev.braid.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;

import org.junit.jupiter.api.Test;

class CidrTest {
    @Test
    void parsesAndPrintsIpv4() {
        Cidr cidr = Cidr.parse("192.168.20.0/24");
        assertTrue(cidr.isIpv4());
        assertEquals(24, cidr.prefixLength());
        assertEquals("192.168.20.0/24", cidr.toString());
        assertTrue(cidr.isNetwork());
    }

    @Test
    void hostBitsAreKeptAndCanBeCleared() {
        Cidr cidr = Cidr.parse("192.168.20.77/24");
        assertFalse(cidr.isNetwork());
        assertEquals("192.168.20.0/24", cidr.network().toString());
        assertEquals("10.14.0.0/22", Cidr.parse("10.14.3.255/22").network().toString());
    }

    @Test
    void ipv6IsPrintedInTheShortForm() {
        assertEquals("2001:db8::1/128", Cidr.parse("2001:0DB8:0000:0000:0000:0000:0000:0001/128").toString());
        assertEquals("::/0", Cidr.parse("::/0").toString());
        assertEquals("::1/128", Cidr.parse("::1/128").toString());
        // a single zero group is not shortened; the longest run wins
        assertEquals("2001:db8:0:1:1:1:1:1/128", Cidr.parse("2001:db8:0:1:1:1:1:1/128").toString());
        assertEquals("2001:0:0:1::1/128", Cidr.parse("2001:0:0:1:0:0:0:1/128").toString());
        assertEquals("fe80::/10", Cidr.parse("fe80::/10").toString());
    }

    @Test
    void ipv4MappedIpv6StaysIpv6() {
        Cidr cidr = Cidr.parse("::ffff:10.0.0.1/128");
        assertFalse(cidr.isIpv4());
        assertTrue(cidr.address() instanceof Inet6Address);
        assertEquals("::ffff:a00:1/128", cidr.toString());
    }

    @Test
    void refusesAmbiguousOrBrokenText() {
        for (String bad : new String[] {"10.1/16", "010.0.0.0/8", "256.0.0.0/8", "1.2.3.4/33", "1.2.3.4", "1.2.3.4/", "1.2.3.4/-1",
                "2001:db8::1::2/64", "2001:db8::/129", "fe80::1%eth0/64", "1:2:3:4:5:6:7:8:9/64", "example.com/24", "/24"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void overlapIsContainmentWithinOneFamily() {
        Cidr pool = Cidr.parse("10.14.0.0/24");
        assertTrue(pool.overlaps(Cidr.parse("10.14.0.128/25")));
        assertTrue(pool.overlaps(Cidr.parse("10.0.0.0/8")));
        assertTrue(pool.overlaps(Cidr.parse("10.14.0.9/32")));
        assertFalse(pool.overlaps(Cidr.parse("10.14.1.0/24")));
        assertFalse(pool.overlaps(Cidr.parse("::/0")));
        assertTrue(Cidr.parse("2001:db8::/32").overlaps(Cidr.parse("2001:db8:1::/48")));
        assertFalse(Cidr.parse("2001:db8::/32").overlaps(Cidr.parse("2001:db9::/32")));
    }

    @Test
    void subnetsAndHosts() {
        Cidr pool = Cidr.parse("10.14.0.0/24");
        assertEquals(64, pool.subnetCount(30));
        assertEquals("10.14.0.0/30", pool.subnet(30, 0).toString());
        assertEquals("10.14.0.4/30", pool.subnet(30, 1).toString());
        assertEquals("10.14.0.252/30", pool.subnet(30, 63).toString());
        assertThrows(IllegalArgumentException.class, () -> pool.subnet(30, 64));
        assertEquals("10.14.0.5/30", pool.subnet(30, 1).withHost(1).toString());
        assertEquals("10.14.0.6/30", pool.subnet(30, 1).withHost(2).toString());
        assertThrows(IllegalArgumentException.class, () -> pool.subnet(30, 1).withHost(4));
        assertEquals(0, pool.subnetCount(20));
        assertEquals("2001:db8:0:3::/64", Cidr.parse("2001:db8::/48").subnet(64, 3).toString());
    }
}
