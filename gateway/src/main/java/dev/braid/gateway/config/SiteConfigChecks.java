package dev.braid.gateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.braid.ecmp.IpPrefix;

/**
 * Checks of settings against each other, made once every setting is valid on its own: address
 * ranges that must not overlap (a worker link inside a LAN, a LAN routed both ways), the two
 * floating addresses, names that would collide, and an MTU the underlay cannot carry. The error
 * goes on the setting the user most likely got wrong, and names the other one with its line.
 */
final class SiteConfigChecks {
    private final SiteConfig config;
    private final ConfigSource source;
    private final List<ConfigError> errors = new ArrayList<>();

    private SiteConfigChecks(SiteConfig config) {
        this.config = config;
        this.source = config.source();
    }

    static List<ConfigError> check(SiteConfig config) {
        SiteConfigChecks checks = new SiteConfigChecks(config);
        checks.floatingAddresses();
        checks.linkPoolOverlaps();
        checks.prefixOverlaps();
        checks.names();
        checks.autoMtu();
        return List.copyOf(checks.errors);
    }

    private void floatingAddresses() {
        IpPrefix local = config.floating().address();
        IpPrefix remote = config.remote().floatingAddress();
        if (local.equals(remote)) {
            errors.add(source.error("remote.floating_address", remote + " equals floating.address" + lineNote("floating.address")
                    + " (each site has its own floating address, e.g. 10.0.55.1/32 here and 10.0.55.2/32 there)"));
        } else if (local.isIpv4() != remote.isIpv4()) {
            errors.add(source.error("remote.floating_address", remote + " and floating.address " + local + lineNote("floating.address")
                    + " are of different IP families (use two IPv4 or two IPv6 floating addresses)"));
        }
    }

    /** Worker links are cut from link_pool: no other address this site routes or owns may lie in it. */
    private void linkPoolOverlaps() {
        IpPrefix pool = config.linkPool();
        boolean poolWritten = source.lineByField().containsKey("link_pool");
        for (Named other : addressesBesideThePool()) {
            if (!pool.overlaps(other.prefix())) {
                continue;
            }
            if (poolWritten) {
                errors.add(source.error("link_pool", pool + " overlaps " + other.field() + " " + other.prefix() + lineNote(other.field())
                        + " (worker links are cut from link_pool: choose a range no LAN or floating address uses)"));
            } else {
                errors.add(source.error(other.field(), other.prefix() + " overlaps link_pool, which defaults to " + pool
                        + " (set link_pool: to a range no LAN or floating address uses, e.g. 10.99.0.0/24)"));
            }
        }
    }

    private List<Named> addressesBesideThePool() {
        List<Named> named = new ArrayList<>();
        named.add(new Named("floating.address", config.floating().address()));
        named.add(new Named("remote.floating_address", config.remote().floatingAddress()));
        addAll(named, "remote.prefixes", config.remote().prefixes());
        addAll(named, "local_prefixes", config.localPrefixes());
        return named;
    }

    private void prefixOverlaps() {
        List<Named> remote = new ArrayList<>();
        addAll(remote, "remote.prefixes", config.remote().prefixes());
        List<Named> local = new ArrayList<>();
        addAll(local, "local_prefixes", config.localPrefixes());
        for (int i = 0; i < remote.size(); i++) {
            Named r = remote.get(i);
            for (int j = 0; j < i; j++) {
                if (remote.get(j).prefix().overlaps(r.prefix())) {
                    errors.add(source.error(r.field(), r.prefix() + " overlaps " + remote.get(j).field() + " " + remote.get(j).prefix()
                            + lineNote(remote.get(j).field()) + " (list each remote range once)"));
                }
            }
            for (Named l : local) {
                if (l.prefix().overlaps(r.prefix())) {
                    errors.add(source.error(r.field(), r.prefix() + " overlaps " + l.field() + " " + l.prefix() + lineNote(l.field())
                            + " (a range is either on this site or routed to the other, not both)"));
                }
            }
            if (r.prefix().overlaps(config.floating().address())) {
                errors.add(source.error("floating.address", config.floating().address() + " lies inside " + r.field() + " " + r.prefix()
                        + lineNote(r.field()) + " (this site's own floating address would be routed to the other site)"));
            }
        }
        for (Named l : local) {
            if (l.prefix().overlaps(config.remote().floatingAddress())) {
                errors.add(source.error("remote.floating_address", config.remote().floatingAddress() + " lies inside " + l.field() + " "
                        + l.prefix() + lineNote(l.field()) + " (the other site's floating address cannot be on this site's LAN)"));
            }
        }
    }

    /** The floating link must never be taken for (or by) a worker TUN, whatever the worker count. */
    private void names() {
        String floating = config.floating().interfaceName();
        if (Pattern.matches(Pattern.quote(config.tunPrefix()) + "\\d+", floating)) {
            errors.add(source.error("floating.interface", "'" + floating + "' has the form of a worker TUN name (tun_prefix "
                    + config.tunPrefix() + " + a number); choose another name, e.g. braid-float"));
        }
    }

    private void autoMtu() {
        if (config.mtuBytes().isEmpty()) {
            int overhead = MtuRule.overheadBytes(config.peer().endpoint().kind());
            if (config.underlayMtuBytes() - overhead < SiteConfigLoader.MIN_MTU) {
                errors.add(source.error("underlay_mtu", config.underlayMtuBytes() + " leaves " + (config.underlayMtuBytes() - overhead)
                        + " bytes after the " + overhead + "-byte tunnel overhead, below the minimum " + SiteConfigLoader.MIN_MTU
                        + " (raise underlay_mtu or set mtu explicitly)"));
            }
        }
    }

    private String lineNote(String field) {
        Integer line = source.lineByField().get(field);
        return line == null ? "" : " (line " + line + ")";
    }

    private static void addAll(List<Named> into, String listField, List<IpPrefix> prefixes) {
        for (int i = 0; i < prefixes.size(); i++) {
            into.add(new Named(listField + "[" + i + "]", prefixes.get(i)));
        }
    }

    private record Named(String field, IpPrefix prefix) {
    }
}
