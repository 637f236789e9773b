package dev.braid.gateway.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.braid.ecmp.IpPrefix;
import dev.braid.gateway.config.ConfigException;
import dev.braid.gateway.config.SiteConfig;
import dev.braid.gateway.config.SiteConfigLoader;
import dev.braid.gateway.config.SiteFiles;
import dev.braid.pinning.CpuTopology;

class SitePlannerTest {
    @TempDir
    Path dir;
    SiteFiles files;

    @BeforeEach
    void keys() throws IOException {
        files = new SiteFiles(dir);
    }

    /** The repository's configs/ folder, found from the module directory Maven runs tests in. */
    static Path examples() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("configs/site-a.yaml"))) {
                return p.resolve("configs");
            }
        }
        throw new IllegalStateException("configs/site-a.yaml not found above " + Path.of("").toAbsolutePath());
    }

    /** An example config with the test's key files and the other site's real public key in place of the placeholder. */
    Path example(String name) throws IOException {
        String yaml = Files.readString(examples().resolve(name));
        assertTrue(yaml.contains("PASTE-SITE-"), "the example carries a placeholder for the peer key");
        String filled = yaml
                .replace("/etc/braid/site-a.key", files.keyA.toString())
                .replace("/etc/braid/site-b.key", files.keyB.toString())
                .replace("PASTE-SITE-B-PUBLIC-KEY-HERE", files.publicB)
                .replace("PASTE-SITE-A-PUBLIC-KEY-HERE", files.publicA);
        return files.write(name, filled);
    }

    static SitePlan plan(Path config, int cores) throws ConfigException {
        return SiteFiles.plannerWithCores(cores).plan(SiteConfigLoader.load(config));
    }

    @Test
    void theExamplePairPlansMirrorEachOther() throws Exception {
        SitePlan a = plan(example("site-a.yaml"), 4);
        SitePlan b = plan(example("site-b.yaml"), 4);
        assertEquals("site-a", a.site());
        assertEquals("site-b", b.site());
        assertEquals(a.localPublicKey(), b.peerPublicKey());
        assertEquals(b.localPublicKey(), a.peerPublicKey());
        assertEquals("198.51.100.20", a.peerEndpointHost());
        assertEquals("203.0.113.10", b.peerEndpointHost());
        assertEquals(4, a.workerCount(), "workers: auto on a 4-core machine");
        assertEquals(4, b.workerCount());
        assertNotEquals(a.takesFirstAddress(), b.takesFirstAddress(), "exactly one site takes .1");
        boolean aIsLower = a.localPublicKey().compareTo(b.localPublicKey()) < 0;
        assertEquals(aIsLower, a.takesFirstAddress(), "the lower public key takes .1");

        for (int i = 0; i < 4; i++) {
            WorkerPlan wa = a.workers().get(i);
            WorkerPlan wb = b.workers().get(i);
            assertEquals(i, wa.index());
            assertEquals(51820 + i, wa.listenPort());
            assertEquals(wa.listenPort(), wb.peerPort(), "B sends to where A listens");
            assertEquals(wb.listenPort(), wa.peerPort(), "A sends to where B listens");
            assertEquals("braid" + i, wa.tunName());
            assertEquals(wa.tunName(), wb.tunName());
            assertEquals(wa.localLinkAddress(), wb.peerLinkAddress());
            assertEquals(wb.localLinkAddress(), wa.peerLinkAddress());
            IpPrefix link = IpPrefix.parse("10.14.0." + (4 * i) + "/30");
            assertEquals(link, wa.localLinkAddress().network());
            assertEquals(link, wa.peerLinkAddress().network());
            WorkerPlan first = aIsLower ? wa : wb;
            assertEquals("10.14.0." + (4 * i + 1) + "/30", first.localLinkAddress().toString());
            assertEquals("10.14.0." + (4 * i + 2) + "/30", first.peerLinkAddress().toString());
            assertEquals(518_201L + i, wa.nexthopId());
            assertEquals(1 + i, wa.cpu(), "the fake CPU plan's CPU");
        }
        assertEquals(518_200L, a.nexthopGroupId());
        assertEquals(List.of(IpPrefix.parse("10.0.55.2/32"), IpPrefix.parse("192.168.20.0/24")), a.routedPrefixes());
        assertEquals(List.of(IpPrefix.parse("10.0.55.1/32"), IpPrefix.parse("192.168.10.0/24")), b.routedPrefixes());
        assertEquals(a.floatingAddress(), b.remoteFloatingAddress());
        assertEquals("braid-float", a.floatingInterface());
        assertEquals(1440, a.tunnelMtuBytes(), "auto: 1500 - 60 for an IPv4 endpoint");
        assertEquals(0, a.housekeepingCpu().getAsInt());
        assertEquals(Path.of("/run/braid/site-a"), a.stateDir());
        assertTrue(a.notes().stream().anyMatch(n -> n.contains("workers: auto = 4")), a.notes().toString());
    }

    @Test
    void swappingTheKeysSwapsTheAddressesButNotThePairing() throws Exception {
        // the same config with the roles of the two keys exchanged: the link addresses flip, nothing else
        String yaml = files.configA();
        SitePlan one = plan(files.write("one.yaml", yaml), 4);
        String swapped = yaml.replace(files.keyA.toString(), files.keyB.toString()).replace(files.publicB, files.publicA);
        SitePlan two = plan(files.write("two.yaml", swapped), 4);
        for (int i = 0; i < 4; i++) {
            assertEquals(one.workers().get(i).localLinkAddress(), two.workers().get(i).peerLinkAddress());
            assertEquals(one.workers().get(i).listenPort(), two.workers().get(i).listenPort());
        }
    }

    @Test
    void mtuAutoForAnIpv4Endpoint() throws Exception {
        assertEquals(1440, plan(files.write("s.yaml", files.configA()), 4).tunnelMtuBytes());
        String pppoe = files.configA() + "underlay_mtu: 1492\n";
        assertEquals(1432, plan(files.write("s.yaml", pppoe), 4).tunnelMtuBytes());
    }

    @Test
    void mtuAutoForAnIpv6Endpoint() throws Exception {
        String yaml = files.configAWith("203.0.113.7:51820", "\"[2001:db8::7]:51820\"");
        SitePlan plan = plan(files.write("s.yaml", yaml), 4);
        assertEquals(1420, plan.tunnelMtuBytes(), "1500 - 80 for IPv6");
    }

    @Test
    void mtuAutoForADnsNameAssumesIpv6AndSaysSo() throws Exception {
        String yaml = files.configAWith("203.0.113.7:51820", "vpn.example.net:51820");
        SitePlan plan = plan(files.write("s.yaml", yaml), 4);
        assertEquals(1420, plan.tunnelMtuBytes());
        assertTrue(plan.notes().stream().anyMatch(n -> n.contains("DNS name") && n.contains("mtu: 1440")), plan.notes().toString());
    }

    @Test
    void explicitMtuIsKeptWithANoteWhenItWillFragment() throws Exception {
        SitePlan fits = plan(files.write("s.yaml", files.configA() + "mtu: 1400\n"), 4);
        assertEquals(1400, fits.tunnelMtuBytes());
        assertTrue(fits.notes().stream().noneMatch(n -> n.contains("fragment")));
        SitePlan big = plan(files.write("s.yaml", files.configA() + "mtu: 1480\n"), 4);
        assertEquals(1480, big.tunnelMtuBytes());
        assertTrue(big.notes().stream().anyMatch(n -> n.contains("fragmented")), big.notes().toString());
    }

    @Test
    void customPortsPoolPrefixAndIds() throws Exception {
        String yaml = files.configAWith("base_port: 51820", "base_port: 40000")
                .replace("203.0.113.7:51820", "203.0.113.7:45000")
                .replace("link_pool: 10.14.0.0/24", "link_pool: 172.31.255.240/28\ntun_prefix: wg-\nnexthop_id_base: 900");
        SitePlan plan = plan(files.write("s.yaml", yaml), 4);
        WorkerPlan last = plan.workers().getLast();
        assertEquals(40003, last.listenPort());
        assertEquals(45003, last.peerPort());
        assertEquals("wg-3", last.tunName());
        assertEquals(IpPrefix.parse("172.31.255.252/30"), last.localLinkAddress().network());
        assertEquals(904, last.nexthopId());
        assertEquals(900, plan.nexthopGroupId());
    }

    @Test
    void planErrorsArePlacedInTheConfigFile() throws Exception {
        String yaml = files.configAWith("link_pool: 10.14.0.0/24", "link_pool: 10.14.0.0/30");
        Path file = files.write("s.yaml", yaml);
        SiteConfig config = SiteConfigLoader.load(file);
        ConfigException e = assertThrows(ConfigException.class, () -> SiteFiles.plannerWithCores(4).plan(config));
        assertEquals(1, e.errors().size());
        assertEquals(SiteFiles.lineOf(yaml, "link_pool"), e.errors().getFirst().line());
        assertEquals("link_pool", e.errors().getFirst().field());
    }

    @Test
    void autoWorkerCountIsCappedAt64() throws Exception {
        String yaml = files.configAWith("workers: 4", "workers: auto");
        SitePlan plan = plan(files.write("s.yaml", yaml), 80);
        assertEquals(64, plan.workerCount());
        assertEquals("10.14.0.253/30", plan.workers().getLast().localLinkAddress().network().withHost(1).toString());
    }

    /** A 4-core machine (CPUs 0-3, no SMT) for the worker_cpus checks, which ask the real topology. */
    private static SitePlanner fourCores() {
        List<CpuTopology.PhysicalCore> cores = new java.util.ArrayList<>();
        for (int c = 0; c < 4; c++) {
            cores.add(new CpuTopology.PhysicalCore(0, c, CpuTopology.CoreKind.PERFORMANCE, List.of(c)));
        }
        CpuTopology topology = new CpuTopology(cores, java.util.Set.of(0, 1, 2, 3), java.util.Set.of());
        return new SitePlanner(() -> topology, dev.braid.gateway.plan.CpuPlanner.standard());
    }

    @Test
    void workerCpusPlaceWorkersAndLeaveTheRestForHousekeeping() throws Exception {
        String yaml = files.configAWith("workers: 4", "workers: auto\nworker_cpus: [3, 1]");
        SitePlan plan = fourCores().plan(SiteConfigLoader.load(files.write("s.yaml", yaml)));
        assertEquals(List.of(3, 1), plan.workers().stream().map(WorkerPlan::cpu).toList());
        assertEquals(java.util.OptionalInt.of(2), plan.housekeepingCpu(), "the highest CPU the list leaves free");
    }

    @Test
    void workerCpusThisProcessCannotUseAreRefusedAtTheirLine() throws Exception {
        String yaml = files.configAWith("workers: 4", "workers: 2\nworker_cpus: [1, 7]");
        SiteConfig config = SiteConfigLoader.load(files.write("s.yaml", yaml));
        ConfigException e = assertThrows(ConfigException.class, () -> fourCores().plan(config));
        assertEquals("worker_cpus[1]", e.errors().getFirst().field());
        assertEquals(SiteFiles.lineOf(yaml, "worker_cpus"), e.errors().getFirst().line());
        assertTrue(e.errors().getFirst().problem().contains("CPU 7"), e.errors().toString());
    }

    @Test
    void moreWorkersThanListedCpusNeedOversubscription() throws Exception {
        String yaml = files.configAWith("workers: 4", "workers: 3\nworker_cpus: [0, 1]");
        SiteConfig config = SiteConfigLoader.load(files.write("s.yaml", yaml));
        ConfigException e = assertThrows(ConfigException.class, () -> fourCores().plan(config));
        assertEquals("worker_cpus", e.errors().getFirst().field());
        String allowed = files.configAWith("workers: 4", "workers: 3\nworker_cpus: [0, 1]\nallow_oversubscription: true");
        SitePlan plan = fourCores().plan(SiteConfigLoader.load(files.write("t.yaml", allowed)));
        assertEquals(List.of(0, 1, 0), plan.workers().stream().map(WorkerPlan::cpu).toList());
    }
}
