package dev.braid.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.braid.ecmp.IpPrefix;

class SiteConfigLoaderTest {
    @TempDir
    Path dir;
    SiteFiles files;

    @BeforeEach
    void keys() throws IOException {
        files = new SiteFiles(dir);
    }

    private String minimal() {
        return """
                site: branch-2
                private_key_file: a.key
                peer:
                  public_key: "%s"
                  endpoint: 203.0.113.7
                floating:
                  address: 10.0.55.1/32
                remote:
                  floating_address: 10.0.55.2/32
                """.formatted(files.publicB);
    }

    @Test
    void defaultsAreAppliedToEverythingLeftOut() throws Exception {
        SiteConfig config = SiteConfigLoader.load(files.write("site.yaml", minimal()));
        assertEquals("branch-2", config.site());
        assertEquals(files.keyA, config.privateKeyFile(), "a relative key path is taken from the config's directory");
        assertEquals(files.publicA, config.localPublicKey().base64());
        assertEquals(files.publicB, config.peer().publicKey().base64());
        assertEquals(new HostPort("203.0.113.7", 51820, HostPort.HostKind.IPV4), config.peer().endpoint());
        assertEquals(Optional.empty(), config.peer().presharedKeyFile());
        assertEquals(51820, config.basePort());
        assertTrue(config.workerCount().isEmpty(), "workers: auto");
        assertFalse(config.allowOversubscription());
        assertEquals("10.14.0.0/24", config.linkPool().toString());
        assertEquals("braid", config.tunPrefix());
        assertEquals("braid-float", config.floating().interfaceName());
        assertEquals(List.of(), config.remote().prefixes());
        assertEquals(List.of(), config.localPrefixes());
        assertTrue(config.mtuBytes().isEmpty(), "mtu: auto");
        assertEquals(1500, config.underlayMtuBytes());
        assertEquals(new SiteConfig.Health(200, 600, 30), config.health());
        assertEquals("127.0.0.1:9586", config.metrics().listen().orElseThrow().toString());
        assertEquals(Path.of("/run/braid/branch-2"), config.stateDir());
        assertEquals(518_200L, config.nexthopIdBase());
    }

    @Test
    void endpointPortDefaultsToOurBasePortAndDeadAfterToThreeIntervals() throws Exception {
        String yaml = minimal() + "listen:\n  base_port: 40000\nhealth:\n  keepalive_interval_ms: 1000\n";
        SiteConfig config = SiteConfigLoader.load(files.write("site.yaml", yaml));
        assertEquals(40000, config.peer().endpoint().port());
        assertEquals(3000, config.health().deadAfterMs());
    }

    @Test
    void emptySectionsAndValuesMeanDefaults() throws Exception {
        String yaml = minimal() + "health:\nmetrics:\nlisten:\nmtu:\nworkers: ~\n";
        SiteConfig config = SiteConfigLoader.load(files.write("site.yaml", yaml));
        assertEquals(new SiteConfig.Health(200, 600, 30), config.health());
        assertTrue(config.metrics().enabled());
        assertTrue(config.workerCount().isEmpty());
    }

    @Test
    void everySettingCanBeWritten() throws Exception {
        Path psk = dir.resolve("psk");
        dev.braid.instance.protocol.WireGuardKeys.writeKeyFile(psk, new byte[32]);
        String yaml = """
                site: hq
                private_key_file: %s
                peer:
                  public_key: "%s"
                  endpoint: "[2001:db8::7]:41000"
                  preshared_key_file: psk
                listen:
                  base_port: 42000
                workers: 3
                allow_oversubscription: yes
                link_pool: 10.99.8.0/28
                tun_prefix: wgx
                floating:
                  address: 2001:db8:55::1
                  interface: float0
                remote:
                  floating_address: 2001:db8:55::2/128
                  prefixes:
                    - 192.168.20.0/24
                    - 2001:db8:20::/48
                local_prefixes: [192.168.10.0/24]
                mtu: 1380
                underlay_mtu: 1492
                health:
                  keepalive_interval_ms: 250
                  dead_after_ms: 1000
                  restart_backoff_max_s: 60
                metrics:
                  listen: "[::1]:9999"
                state_dir: /var/lib/braid/hq
                nexthop_id_base: 7000
                """.formatted(files.keyA, files.publicB);
        SiteConfig config = SiteConfigLoader.load(files.write("site.yaml", yaml));
        assertEquals(new HostPort("2001:db8::7", 41000, HostPort.HostKind.IPV6), config.peer().endpoint());
        assertEquals(Optional.of(psk), config.peer().presharedKeyFile());
        assertEquals(42000, config.basePort());
        assertEquals(3, config.workerCount().getAsInt());
        assertTrue(config.allowOversubscription());
        assertEquals("10.99.8.0/28", config.linkPool().toString());
        assertEquals("wgx", config.tunPrefix());
        assertEquals(new SiteConfig.Floating(IpPrefix.parse("2001:db8:55::1/128"), "float0"), config.floating());
        assertEquals(List.of(IpPrefix.parse("192.168.20.0/24"), IpPrefix.parse("2001:db8:20::/48")), config.remote().prefixes());
        assertEquals(1380, config.mtuBytes().getAsInt());
        assertEquals(1492, config.underlayMtuBytes());
        assertEquals(new SiteConfig.Health(250, 1000, 60), config.health());
        assertEquals("[::1]:9999", config.metrics().listen().orElseThrow().toString());
        assertEquals(Path.of("/var/lib/braid/hq"), config.stateDir());
        assertEquals(7000, config.nexthopIdBase());
        assertEquals(lineOfSetting(yaml, "2001:db8:20::/48"), config.source().lineOf("remote.prefixes[1]"));
    }

    private static int lineOfSetting(String yaml, String fragment) {
        return SiteFiles.lineOf(yaml, fragment);
    }

    @Test
    void metricsCanBeTurnedOff() throws Exception {
        for (String off : List.of("off", "false", "\"off\"")) {
            SiteConfig config = SiteConfigLoader.load(files.write("site.yaml", minimal() + "metrics:\n  listen: " + off + "\n"));
            assertFalse(config.metrics().enabled(), off);
        }
    }

    @Test
    void recordsAreImmutable() throws Exception {
        SiteConfig config = SiteConfigLoader.load(files.write("site.yaml", files.configA()));
        assertThrows(UnsupportedOperationException.class, () -> config.localPrefixes().add(IpPrefix.parse("10.0.0.0/8")));
        assertThrows(UnsupportedOperationException.class, () -> config.remote().prefixes().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.source().lineByField().clear());
    }

    @Test
    void sourceLinesFallBackToTheEnclosingSection() throws Exception {
        String yaml = files.configA();
        SiteConfig config = SiteConfigLoader.load(files.write("site.yaml", yaml));
        assertEquals(SiteFiles.lineOf(yaml, "base_port"), config.source().lineOf("listen.base_port"));
        assertEquals(SiteFiles.lineOf(yaml, "floating:"), config.source().lineOf("floating.interface"), "a default points at its section");
        assertEquals(1, config.source().lineOf("metrics.listen"), "a default of an absent section points at the top");
    }

    @Test
    void loadingReadsButDoesNotWrite() throws Exception {
        Path config = files.write("site.yaml", files.configA());
        long before;
        try (var listing = Files.list(dir)) {
            before = listing.count();
        }
        SiteConfigLoader.load(config);
        try (var listing = Files.list(dir)) {
            assertEquals(before, listing.count());
        }
        assertFalse(Files.exists(dir.resolve("state-hq")));
    }

    @Test
    void errorsComeInFileOrderWithFileLineAndField() throws IOException {
        String yaml = files.configAWith("workers: 4", "workers: 0").replace("base_port: 51820", "base_port: 0");
        Path file = files.write("site.yaml", yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> SiteConfigLoader.load(file));
        assertEquals(2, e.errors().size(), e.getMessage());
        assertEquals(new ConfigError(file, SiteFiles.lineOf(yaml, "base_port"), "listen.base_port", "must be 1..65535, got 0"), e.errors().get(0));
        assertEquals(SiteFiles.lineOf(yaml, "workers"), e.errors().get(1).line());
        assertEquals(file + ":" + SiteFiles.lineOf(yaml, "base_port") + ": listen.base_port: must be 1..65535, got 0", e.errors().get(0).toString());
    }
}
