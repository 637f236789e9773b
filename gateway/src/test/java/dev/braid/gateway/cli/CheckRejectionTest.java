package dev.braid.gateway.cli;

import static dev.braid.gateway.config.SiteFiles.check;
import static dev.braid.gateway.config.SiteFiles.lineOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.braid.gateway.config.SiteFiles;
import dev.braid.gateway.config.SiteFiles.CheckRun;
import dev.braid.instance.protocol.WireGuardKeys;

/**
 * Every kind of config `braid check` must refuse: exit status 2, the problem on a line of the form
 * FILE:LINE: FIELD: problem, the right line and field, and words that tell the user what is wrong.
 * The fake machine has 4 usable cores.
 */
class CheckRejectionTest {
    @TempDir
    Path dir;
    SiteFiles files;

    @BeforeEach
    void keys() throws IOException {
        files = new SiteFiles(dir);
    }

    /** Runs check on {@code yaml} and returns the one error line for {@code field} at {@code line}. */
    private String rejected(String yaml, int line, String field) throws IOException {
        Path config = files.write("site.yaml", yaml);
        CheckRun run = check(config, 4);
        assertEquals(2, run.status(), "exit status; stderr:\n" + run.err());
        assertEquals("", run.out(), "no plan is printed for a bad config");
        String prefix = config + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ");
        List<String> matching = run.err().lines().filter(l -> l.startsWith(prefix)).toList();
        assertEquals(1, matching.size(), "one error line starting '" + prefix + "' in:\n" + run.err());
        assertTrue(run.err().lines().toList().getLast().startsWith("braid check: "), "summary line last:\n" + run.err());
        return matching.getFirst();
    }

    private static void assertMentions(String message, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "'" + fragment + "' in: " + message);
        }
    }

    // --- key files -------------------------------------------------------------------------------

    @Test
    void missingPrivateKeyFile() throws IOException {
        Path missing = dir.resolve("nowhere.key");
        String yaml = files.configAWith(files.keyA.toString(), missing.toString());
        String error = rejected(yaml, lineOf(yaml, "private_key_file"), "private_key_file");
        assertMentions(error, missing.toString(), "does not exist", "braid genkey >");
    }

    @Test
    void privateKeyReadableByOthers() throws IOException {
        Files.setPosixFilePermissions(files.keyA, PosixFilePermissions.fromString("rw-r--r--"));
        String yaml = files.configA();
        String error = rejected(yaml, lineOf(yaml, "private_key_file"), "private_key_file");
        assertMentions(error, "accessible by group or others", "chmod 600");
    }

    @Test
    void privateKeyFileHoldingGarbage() throws IOException {
        Files.writeString(files.keyA, "this is not a key\n");
        String yaml = files.configA();
        String error = rejected(yaml, lineOf(yaml, "private_key_file"), "private_key_file");
        assertMentions(error, "does not hold a key", "braid genkey");
    }

    @Test
    void privateKeyPathIsADirectory() throws IOException {
        String yaml = files.configAWith(files.keyA.toString(), dir.toString());
        String error = rejected(yaml, lineOf(yaml, "private_key_file"), "private_key_file");
        assertMentions(error, "not a regular file");
    }

    @Test
    void unsafePresharedKeyFile() throws IOException {
        Path psk = dir.resolve("psk");
        WireGuardKeys.writeKeyFile(psk, new byte[32]);
        Files.setPosixFilePermissions(psk, PosixFilePermissions.fromString("rw-rw----"));
        String yaml = files.configAWith("  endpoint: 203.0.113.7:51820\n", "  endpoint: 203.0.113.7:51820\n  preshared_key_file: " + psk + "\n");
        String error = rejected(yaml, lineOf(yaml, "preshared_key_file"), "peer.preshared_key_file");
        assertMentions(error, "accessible by group or others", "chmod 600 " + psk);
    }

    // --- peer key --------------------------------------------------------------------------------

    @Test
    void malformedPeerPublicKey() throws IOException {
        String yaml = files.configAWith(files.publicB, files.publicB.substring(0, 40));
        String error = rejected(yaml, lineOf(yaml, "public_key"), "peer.public_key");
        assertMentions(error, "not a WireGuard public key", "44", "braid pubkey");
    }

    @Test
    void placeholderPeerKeyLeftFromTheExample() throws IOException {
        String yaml = files.configAWith(files.publicB, "PASTE-SITE-B-PUBLIC-KEY-HERE");
        String error = rejected(yaml, lineOf(yaml, "public_key"), "peer.public_key");
        assertMentions(error, "still the placeholder", "PASTE-SITE-B-PUBLIC-KEY-HERE", "braid pubkey <");
    }

    @Test
    void peerKeyEqualToOurOwn() throws IOException {
        String yaml = files.configAWith(files.publicB, files.publicA);
        String error = rejected(yaml, lineOf(yaml, "public_key"), "peer.public_key");
        assertMentions(error, "this site's own public key", "OTHER site");
    }

    // --- CPUs (planner stage) --------------------------------------------------------------------

    @Test
    void moreWorkersThanUsableCores() throws IOException {
        String yaml = files.configAWith("workers: 4", "workers: 6");
        String error = rejected(yaml, lineOf(yaml, "workers:"), "workers");
        assertMentions(error, "6 workers but only 4", "allow_oversubscription: true");
    }

    @Test
    void oversubscriptionAllowedIsNotAnError() throws IOException {
        String yaml = files.configAWith("workers: 4", "workers: 6\nallow_oversubscription: true");
        CheckRun run = check(files.write("site.yaml", yaml), 4);
        assertEquals(0, run.status(), run.err());
        assertMentions(run.out(), "oversubscribed");
    }

    // --- prefixes and addresses ------------------------------------------------------------------

    @Test
    void invalidCidr() throws IOException {
        String yaml = files.configAWith("prefixes: [192.168.20.0/24]", "prefixes: [192.168.20.0/24, 192.168.300.0/24]");
        String error = rejected(yaml, lineOf(yaml, "prefixes:"), "remote.prefixes[1]");
        assertMentions(error, "192.168.300.0", "not an IPv4 or IPv6 address");
    }

    @Test
    void prefixLengthOutOfRange() throws IOException {
        String yaml = files.configAWith("local_prefixes: [192.168.10.0/24]", "local_prefixes: [192.168.10.0/33]");
        String error = rejected(yaml, lineOf(yaml, "local_prefixes"), "local_prefixes[0]");
        assertMentions(error, "prefix length", "0..32");
    }

    @Test
    void prefixWithHostBitsSet() throws IOException {
        String yaml = files.configAWith("prefixes: [192.168.20.0/24]", "prefixes:\n    - 192.168.20.1/24");
        String error = rejected(yaml, lineOf(yaml, "192.168.20.1/24"), "remote.prefixes[0]");
        assertMentions(error, "host bits set", "did you mean 192.168.20.0/24");
    }

    @Test
    void linkPoolTooSmallForTheWorkers() throws IOException {
        String yaml = files.configAWith("link_pool: 10.14.0.0/24", "link_pool: 10.14.0.0/29");
        String error = rejected(yaml, lineOf(yaml, "link_pool"), "link_pool");
        assertMentions(error, "holds 2 /30 worker links", "4 workers need 4", "/28");
    }

    @Test
    void linkPoolOverlappingARemotePrefix() throws IOException {
        String yaml = files.configAWith("prefixes: [192.168.20.0/24]", "prefixes: [192.168.20.0/24, 10.14.0.0/16]");
        String error = rejected(yaml, lineOf(yaml, "link_pool"), "link_pool");
        assertMentions(error, "overlaps remote.prefixes[1] 10.14.0.0/16 (line " + lineOf(yaml, "prefixes:") + ")");
    }

    @Test
    void linkPoolOverlappingALocalPrefix() throws IOException {
        String yaml = files.configAWith("local_prefixes: [192.168.10.0/24]", "local_prefixes: [10.14.0.128/25]");
        String error = rejected(yaml, lineOf(yaml, "link_pool"), "link_pool");
        assertMentions(error, "overlaps local_prefixes[0] 10.14.0.128/25");
    }

    @Test
    void defaultLinkPoolOverlappingTheFloatingAddressIsReportedAtTheFloatingAddress() throws IOException {
        String yaml = files.configAWith("link_pool: 10.14.0.0/24\n", "").replace("address: 10.0.55.1/32", "address: 10.14.0.77/32");
        String error = rejected(yaml, lineOf(yaml, "10.14.0.77"), "floating.address");
        assertMentions(error, "overlaps link_pool, which defaults to 10.14.0.0/24", "set link_pool:");
    }

    @Test
    void linkPoolOverlappingTheRemoteFloatingAddress() throws IOException {
        String yaml = files.configAWith("floating_address: 10.0.55.2/32", "floating_address: 10.14.0.2/32");
        String error = rejected(yaml, lineOf(yaml, "link_pool"), "link_pool");
        assertMentions(error, "overlaps remote.floating_address 10.14.0.2/32");
    }

    @Test
    void remotePrefixOverlappingALocalPrefix() throws IOException {
        String yaml = files.configAWith("local_prefixes: [192.168.10.0/24]", "local_prefixes: [192.168.0.0/16]");
        String error = rejected(yaml, lineOf(yaml, "prefixes: [192.168.20.0/24]"), "remote.prefixes[0]");
        assertMentions(error, "overlaps local_prefixes[0] 192.168.0.0/16", "either on this site or routed to the other");
    }

    @Test
    void floatingAddressesEqual() throws IOException {
        String yaml = files.configAWith("floating_address: 10.0.55.2/32", "floating_address: 10.0.55.1/32");
        String error = rejected(yaml, lineOf(yaml, "floating_address"), "remote.floating_address");
        assertMentions(error, "equals floating.address (line " + lineOf(yaml, "  address: 10.0.55.1") + ")");
    }

    @Test
    void floatingAddressThatIsNotASingleAddress() throws IOException {
        String yaml = files.configAWith("address: 10.0.55.1/32", "address: 10.0.55.0/24");
        String error = rejected(yaml, lineOf(yaml, "10.0.55.0/24"), "floating.address");
        assertMentions(error, "not a single address", "10.0.55.0/32");
    }

    // --- ports and counts ------------------------------------------------------------------------

    @Test
    void listenPortRangePast65535() throws IOException {
        String yaml = files.configAWith("base_port: 51820", "base_port: 65534");
        String error = rejected(yaml, lineOf(yaml, "base_port"), "listen.base_port");
        assertMentions(error, "port 65537", "at most 65532");
    }

    @Test
    void peerPortRangePast65535() throws IOException {
        String yaml = files.configAWith("203.0.113.7:51820", "203.0.113.7:65535");
        String error = rejected(yaml, lineOf(yaml, "endpoint"), "peer.endpoint");
        assertMentions(error, "peer's worker 3", "65538");
    }

    @Test
    void tunNamesTooLongForTheWorkerCount() throws IOException {
        String yaml = files.configAWith("workers: 4", "workers: 12\nallow_oversubscription: true\ntun_prefix: braid-tunnel-x");
        String error = rejected(yaml, lineOf(yaml, "tun_prefix"), "tun_prefix");
        assertMentions(error, "worker 11's TUN name 'braid-tunnel-x11'", "longer than 15 characters");
    }

    @Test
    void tunPrefixTooLongOrWithBadCharacters() throws IOException {
        String yaml = files.configAWith("workers: 4", "workers: 4\ntun_prefix: braid/tun");
        String error = rejected(yaml, lineOf(yaml, "tun_prefix"), "tun_prefix");
        assertMentions(error, "not a usable TUN name prefix");
    }

    @Test
    void nexthopIdsPastTheIpv4Range() throws IOException {
        String yaml = files.configAWith("workers: 4", "workers: 4\nnexthop_id_base: 999997");
        String error = rejected(yaml, lineOf(yaml, "nexthop_id_base"), "nexthop_id_base");
        assertMentions(error, "above 999999", "at most 999995");
    }

    @Test
    void autoMtuBelowTheMinimum() throws IOException {
        String yaml = files.configAWith("workers: 4", "workers: 4\nunderlay_mtu: 600");
        String error = rejected(yaml, lineOf(yaml, "underlay_mtu"), "underlay_mtu");
        assertMentions(error, "leaves 540 bytes", "60-byte tunnel overhead");
    }

    // --- types and values ------------------------------------------------------------------------

    @Test
    void textWhereANumberGoes() throws IOException {
        String yaml = files.configAWith("base_port: 51820", "base_port: fifty");
        String error = rejected(yaml, lineOf(yaml, "base_port"), "listen.base_port");
        assertMentions(error, "expected a whole number 1..65535", "the text 'fifty'");
    }

    @Test
    void quotedNumberSaysToDropTheQuotes() throws IOException {
        String yaml = files.configAWith("workers: 4", "workers: \"4\"");
        String error = rejected(yaml, lineOf(yaml, "workers"), "workers");
        assertMentions(error, "or auto", "without quotes");
    }

    @Test
    void listWhereAMapGoes() throws IOException {
        String yaml = files.configAWith("listen:\n  base_port: 51820", "listen: [51820]");
        String error = rejected(yaml, lineOf(yaml, "listen"), "listen");
        assertMentions(error, "expected a section of 'key: value' lines", "got a list");
    }

    @Test
    void mapWhereAListGoes() throws IOException {
        String yaml = files.configAWith("local_prefixes: [192.168.10.0/24]", "local_prefixes:\n  lan: 192.168.10.0/24");
        String error = rejected(yaml, lineOf(yaml, "local_prefixes"), "local_prefixes");
        assertMentions(error, "expected a list", "got a map");
    }

    @Test
    void workersOutOfRange() throws IOException {
        String yaml = files.configAWith("workers: 4", "workers: 65");
        String error = rejected(yaml, lineOf(yaml, "workers"), "workers");
        assertMentions(error, "must be 1..64 or auto, got 65");
    }

    @Test
    void invalidSiteName() throws IOException {
        String yaml = files.configAWith("site: hq", "site: HQ");
        String error = rejected(yaml, 1, "site");
        assertMentions(error, "not a site name", "e.g. hq");
    }

    @Test
    void deadAfterNotAboveTheKeepaliveInterval() throws IOException {
        String yaml = files.configAWith("workers: 4", "workers: 4\nhealth:\n  keepalive_interval_ms: 500\n  dead_after_ms: 500");
        String error = rejected(yaml, lineOf(yaml, "dead_after_ms"), "health.dead_after_ms");
        assertMentions(error, "must exceed keepalive_interval_ms (500)");
    }

    @Test
    void badEndpoint() throws IOException {
        String yaml = files.configAWith("203.0.113.7:51820", "2001:db8::7:51820:x");
        String error = rejected(yaml, lineOf(yaml, "endpoint"), "peer.endpoint");
        assertMentions(error, "[2001:db8::1]:51820");
    }

    @Test
    void missingRequiredSettings() throws IOException {
        String yaml = files.configAWith("  endpoint: 203.0.113.7:51820\n", "").replace("remote:\n  floating_address: 10.0.55.2/32\n", "remote:\n");
        Path config = files.write("site.yaml", yaml);
        CheckRun run = check(config, 4);
        assertEquals(2, run.status());
        assertMentions(run.err(), config + ":" + lineOf(yaml, "peer:") + ": peer.endpoint: is required",
                config + ":" + lineOf(yaml, "remote:") + ": remote.floating_address: is required");
    }

    // --- the file as a whole ---------------------------------------------------------------------

    @Test
    void emptyFile() throws IOException {
        String error = rejected("# nothing but a comment\n", 1, "");
        assertMentions(error, "empty");
    }

    @Test
    void notYamlAtAll() throws IOException {
        String yaml = "site: hq\npeer:\n  public_key: x\n endpoint: y\n";
        Path config = files.write("site.yaml", yaml);
        CheckRun run = check(config, 4);
        assertEquals(2, run.status());
        assertMentions(run.err(), config + ":4: not valid YAML", "indentation");
    }

    @Test
    void textThatIsNoSettingsMap() throws IOException {
        Path config = files.write("site.yaml", "<html>\n<body>hello</body>\n");
        CheckRun run = check(config, 4);
        assertEquals(2, run.status());
        assertMentions(run.err(), config + ":1: the file holds the text", "not settings");
    }

    @Test
    void duplicateKeys() throws IOException {
        String yaml = files.configA() + "workers: 2\n";
        String error = rejected(yaml, yaml.lines().toList().size(), "workers");
        assertMentions(error, "appears twice (first on line " + lineOf(yaml, "workers") + ")");
    }

    @Test
    void unknownKeyNearAKnownOne() throws IOException {
        String yaml = files.configAWith("base_port: 51820", "basePort: 51820");
        String error = rejected(yaml, lineOf(yaml, "basePort"), "listen.basePort");
        assertMentions(error, "unknown setting", "did you mean base_port?");
    }

    @Test
    void knownKeyInTheWrongSection() throws IOException {
        String yaml = files.configA() + "keepalive_interval_ms: 200\n";
        String error = rejected(yaml, lineOf(yaml, "keepalive_interval_ms"), "keepalive_interval_ms");
        assertMentions(error, "did you mean health.keepalive_interval_ms? it belongs under health:");
    }

    @Test
    void unknownKeyWithNothingClose() throws IOException {
        String yaml = files.configA() + "colour: blue\n";
        String error = rejected(yaml, lineOf(yaml, "colour"), "colour");
        assertMentions(error, "unknown setting", "known here: site, private_key_file");
    }

    @Test
    void yamlAliasesAreRefused() throws IOException {
        String yaml = files.configAWith("prefixes: [192.168.20.0/24]", "prefixes: &lans [192.168.20.0/24]")
                .replace("local_prefixes: [192.168.10.0/24]", "local_prefixes: *lans");
        String error = rejected(yaml, lineOf(yaml, "*lans"), "local_prefixes");
        assertMentions(error, "aliases");
    }

    @Test
    void secondYamlDocument() throws IOException {
        String yaml = files.configA() + "---\nsite: other\n";
        String error = rejected(yaml, lineOf(yaml, "site: other"), "");
        assertMentions(error, "second YAML document");
    }

    @Test
    void configFileMissing() {
        Path config = dir.resolve("absent.yaml");
        CheckRun run = check(config, 4);
        assertEquals(2, run.status());
        assertMentions(run.err(), config + ": the config file does not exist");
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() throws IOException {
        String yaml = files.configAWith("base_port: 51820", "base_port: x")
                .replace("workers: 4", "workers: many")
                .replace(files.publicB, "PASTE-SITE-B-PUBLIC-KEY-HERE")
                .replace("10.0.55.1/32", "10.0.55.1/8");
        Path config = files.write("site.yaml", yaml);
        CheckRun run = check(config, 4);
        assertEquals(2, run.status());
        for (String field : List.of("listen.base_port", "workers", "peer.public_key", "floating.address")) {
            assertTrue(run.err().contains(": " + field + ": "), field + " in:\n" + run.err());
        }
        assertMentions(run.err(), "braid check: 4 problems in " + config);
    }

    @Test
    void usageErrorsAreStatus2() {
        var out = new java.io.ByteArrayOutputStream();
        var printer = new java.io.PrintStream(out);
        assertEquals(2, new CheckCommand(SiteFiles.plannerWithCores(4)).run(List.of(), printer, printer));
        assertEquals(2, new CheckCommand(SiteFiles.plannerWithCores(4)).run(List.of("a.yaml", "b.yaml"), printer, printer));
        assertFalse(out.toString().isEmpty());
    }

    @Test
    void registeredAsBraidCheck() throws IOException {
        // through the real entry point: a config error needs no CPU topology, so the default planner is never asked
        Path config = files.write("site.yaml", files.configAWith("workers: 4", "workers: zero"));
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int status = dev.braid.gateway.BraidCli.run(Arrays.asList("check", config.toString()), new java.io.PrintStream(out), new java.io.PrintStream(err));
        assertEquals(2, status);
        assertMentions(err.toString(), ": workers: ");
    }
}
