package dev.braid.gateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import dev.braid.instance.protocol.WireGuardKeys;

/**
 * The seed corpus of {@link SiteConfigFuzzTest}: the example configs from {@code configs/} with
 * their placeholders replaced (key files a.key / b.key next to the config, the other site's real
 * public key), a minimal config, and broken variants of each kind a user or a wrong path produces —
 * empty, only comments, binary junk, not YAML, JSON, a list or a scalar instead of settings, wrong
 * types, tabs, duplicate keys, aliases, tags, a second document, huge numbers, keys and values with
 * line breaks, deep nesting. {@link SiteConfigSeedsTest} checks the committed files are exactly these
 * and writes them when asked.
 */
final class SiteConfigSeeds {
    static final Path CORPUS = Path.of("src/test/resources/dev/braid/gateway/config/SiteConfigFuzzTestInputs/loadsOrRefuses");
    static final Path EXAMPLES = Path.of("../configs");
    static final String KEY_FILE_A = "a.key";
    static final String KEY_FILE_B = "b.key";
    static final byte[] PRIVATE_A = SiteConfigFuzzTest.fixedKey(0xA);
    static final byte[] PRIVATE_B = SiteConfigFuzzTest.fixedKey(0xB);
    static final String PUBLIC_A = WireGuardKeys.toBase64(WireGuardKeys.publicFromPrivate(PRIVATE_A));
    static final String PUBLIC_B = WireGuardKeys.toBase64(WireGuardKeys.publicFromPrivate(PRIVATE_B));

    private SiteConfigSeeds() {
    }

    /** Seed file name → contents. */
    static Map<String, byte[]> generate() throws IOException {
        String siteA = Files.readString(EXAMPLES.resolve("site-a.yaml"))
                .replace("/etc/braid/site-a.key", KEY_FILE_A)
                .replace("PASTE-SITE-B-PUBLIC-KEY-HERE", PUBLIC_B);
        String siteB = Files.readString(EXAMPLES.resolve("site-b.yaml"))
                .replace("/etc/braid/site-b.key", KEY_FILE_B)
                .replace("PASTE-SITE-A-PUBLIC-KEY-HERE", PUBLIC_A);
        String minimal = """
                site: hq
                private_key_file: a.key
                peer:
                  public_key: "%s"
                  endpoint: 203.0.113.7
                floating:
                  address: 10.0.55.1
                remote:
                  floating_address: 10.0.55.2/32
                """.formatted(PUBLIC_B);

        Map<String, String> text = new LinkedHashMap<>();
        text.put("site-a", siteA);
        text.put("site-b", siteB);
        text.put("minimal", minimal);
        text.put("with-preshared-key", minimal.replace("  endpoint: 203.0.113.7\n",
                "  endpoint: \"[2001:db8::7]:51900\"\n  preshared_key_file: b.key\n"));
        text.put("empty", "");
        text.put("only-comments", "# nothing here\n\n   # still nothing\n");
        text.put("utf8-bom", "\uFEFF" + minimal);
        text.put("nul-byte", minimal.replace("site: hq", "site: h\0q"));
        text.put("not-yaml", "site: hq\npeer:\n  public_key: x\n endpoint: y\n");
        text.put("tabs", minimal.replace("  endpoint", "\tendpoint"));
        text.put("json", "{\"site\": \"hq\", \"workers\": 2, \"peer\": {\"endpoint\": [1, 2]}}");
        text.put("top-level-list", "- site: hq\n- workers: 2\n");
        text.put("top-level-scalar", "hello\n");
        text.put("top-level-alias", "*1");
        text.put("top-level-binary", "!!binary aGVsbG8=\n");
        text.put("wrong-types", siteA.replace("workers: auto", "workers: [1, 2]")
                .replace("base_port: 51820", "base_port: true")
                .replace("mtu: auto", "mtu: 1.5")
                .replace("link_pool: 10.14.0.0/24", "link_pool: {a: 1}")
                .replace("prefixes: [192.168.20.0/24]", "prefixes: 192.168.20.0/24")
                .replace("keepalive_interval_ms: 200", "keepalive_interval_ms: \"200\""));
        text.put("sections-as-scalars", minimal.replace("peer:\n  public_key", "peer: here\nx:\n  public_key")
                .replace("floating:\n", "floating: 10.0.55.1\nfloating2:\n"));
        text.put("duplicate-keys", siteA + "workers: 2\npeer:\n  endpoint: 198.51.100.9\n");
        text.put("alias", siteA.replace("prefixes: [192.168.20.0/24]", "prefixes: &lans [192.168.20.0/24]")
                .replace("local_prefixes: [192.168.10.0/24]", "local_prefixes: *lans"));
        text.put("merge-key", minimal + "health: &h\n  dead_after_ms: 900\nmetrics:\n  <<: *h\n");
        text.put("tags", minimal.replace("site: hq", "site: !!binary aGVsbG8=") + "workers: !!float 2\nmtu: !!str 1400\n");
        text.put("second-document", siteA + "---\nsite: other\n");
        text.put("huge-numbers", minimal + "underlay_mtu: 99999999999999999999999999999999\nworkers: -1\nnexthop_id_base: 0x7fffffffffffffff\n");
        text.put("number-forms", minimal + "underlay_mtu: 0x5dc\nworkers: 0o7\nlisten:\n  base_port: 5_1820\n");
        text.put("empty-key", minimal + "\"\": 1\npeer2:\n  \"\": x\n");
        text.put("line-breaks", minimal.replace("site: hq", "site: \"h\\nq\"") + "\"colour\\nshade\": blue\n");
        text.put("deep-nesting", minimal + "x: " + "[".repeat(200) + "]".repeat(200) + "\n");
        text.put("unknown-keys", siteA.replace("  dead_after_ms: 600", "  dead_after_ms: 600\n  colour: blue")
                + "keepalive_interval_ms: 200\n");
        text.put("timestamp-and-null", minimal.replace("site: hq", "site: 2001-12-14t21:59:43.10-05:00")
                + "tun_prefix: ~\nstate_dir: null\n");
        text.put("bad-values", siteA.replace("10.0.55.1/32", "10.0.55.1/8").replace("site: site-a", "site: Site_A")
                .replace("tun_prefix: braid", "tun_prefix: braid/tun").replace("198.51.100.20:51820", "198.51.100.20:0"));

        Map<String, byte[]> seeds = new LinkedHashMap<>();
        text.forEach((name, content) -> seeds.put("seed-" + name, content.getBytes(StandardCharsets.UTF_8)));
        byte[] junk = new byte[512];
        new SplittableRandom(512).nextBytes(junk);
        seeds.put("seed-binary-junk", junk);
        byte[] latin1 = minimal.replace("site: hq", "site: h\u00e9q").getBytes(StandardCharsets.ISO_8859_1);
        seeds.put("seed-latin1", latin1);
        return seeds;
    }
}
