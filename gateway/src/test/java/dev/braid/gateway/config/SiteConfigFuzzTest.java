package dev.braid.gateway.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.braid.gateway.plan.SitePlan;
import dev.braid.instance.protocol.WireGuardKeys;

/**
 * Fuzz target for site configs: the input, as the bytes of a config file next to two valid key
 * files, goes through {@link SiteConfigLoader#load} and, when that accepts it, through the planner
 * (a fake machine with 4 cores) and `braid check`'s output. Each stage must either succeed or throw
 * {@link ConfigException} — never anything else — and every error must be printable as one line
 * FILE:LINE: FIELD: problem: the config's own path, a line ≥ 1, a non-empty problem, a field named
 * unless the problem is with the file as a whole, and no line break anywhere in it.
 * <p>
 * The corpus in {@code src/test/resources/dev/braid/gateway/config/SiteConfigFuzzTestInputs/}
 * replays in every test run (see {@link SiteConfigSeeds}); fuzz for real with {@code JAZZER_FUZZ=1}
 * (docs/fuzzing.md).
 */
class SiteConfigFuzzTest {
    /**
     * Problems with the file as a whole, which have no field (ConfigError's contract): the last two
     * when the whole document is an alias ({@code *1}) or a tagged binary value.
     */
    private static final List<String> WHOLE_FILE_PROBLEMS = List.of("the file is empty", "the file holds ",
            "not valid YAML", "a second YAML document", "is not UTF-8 text", "YAML aliases", "unexpected YAML value");

    private static Path dir;

    private static synchronized Path dir() {
        if (dir == null) {
            try {
                Path created = Files.createTempDirectory("braid-config-fuzz-");
                WireGuardKeys.writeKeyFile(created.resolve(SiteConfigSeeds.KEY_FILE_A), SiteConfigSeeds.PRIVATE_A);
                WireGuardKeys.writeKeyFile(created.resolve(SiteConfigSeeds.KEY_FILE_B), SiteConfigSeeds.PRIVATE_B);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(created)));
                dir = created;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set up the config fuzz directory", e);
            }
        }
        return dir;
    }

    @FuzzTest
    void loadsOrRefuses(byte[] fileContent) throws IOException {
        Path file = dir().resolve("site.yaml");
        Files.write(file, fileContent);
        SiteConfig config;
        try {
            config = SiteConfigLoader.load(file);
        } catch (ConfigException e) {
            assertPrintable(e, file);
            return;
        }
        SitePlan plan;
        try {
            plan = SiteFiles.plannerWithCores(4).plan(config);
        } catch (ConfigException e) {
            assertPrintable(e, file);
            return;
        }
        expect(plan.workers().size() >= 1, "a plan without workers");
        SiteFiles.CheckRun run = SiteFiles.check(file, 4);
        expect(run.status() == 0 && run.out().contains("valid; plan for site " + config.site()),
                "braid check refused a config that loads and plans: status " + run.status() + "\n" + run.err());
    }

    static void assertPrintable(ConfigException e, Path file) {
        expect(!e.errors().isEmpty(), "a ConfigException without errors");
        for (ConfigError error : e.errors()) {
            String line = error.toString();
            expect(error.file().equals(file), "an error about another file: " + line);
            expect(error.line() >= 1, "an error without a line: " + line);
            expect(!error.problem().isBlank(), "an error without a problem: " + line);
            expect(!error.field().isEmpty() || WHOLE_FILE_PROBLEMS.stream().anyMatch(error.problem()::contains),
                    "an error about a setting that does not name it: " + line);
            expect(line.lines().count() == 1, "an error printed on more than one line: " + line);
            expect(line.startsWith(file + ":" + error.line() + ": "), "not FILE:LINE: ...: " + line);
        }
    }

    private static void expect(boolean condition, String problem) {
        if (!condition) {
            throw new AssertionError(problem);
        }
    }

    private static void deleteQuietly(Path directory) {
        try (var files = Files.list(directory)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }

    /** Keys of the fuzz sites: fixed, so the seed files can hold the public keys. */
    static byte[] fixedKey(long seed) {
        byte[] key = new byte[WireGuardKeys.KEY_BYTES];
        new SplittableRandom(seed).nextBytes(key);
        WireGuardKeys.clamp(key);
        return key;
    }
}
