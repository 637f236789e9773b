package dev.braid.gateway.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.braid.instance.protocol.WireGuardKeys;

/**
 * The committed config corpus is exactly what {@link SiteConfigSeeds} makes, and its example
 * configs, with keys filled in, are valid (so the fuzzer starts from configs that reach the planner).
 * When configs/ or the generator changes, regenerate the files:
 * <pre>
 *   mvn -pl gateway -am test -Dtest=SiteConfigSeedsTest -Dsurefire.failIfNoSpecifiedTests=false -Dbraid.fuzz.writeSeeds=true
 * </pre>
 */
class SiteConfigSeedsTest {
    private static final boolean WRITE = Boolean.getBoolean("braid.fuzz.writeSeeds");

    @TempDir
    Path dir;

    @Test
    void committedSeedsAreWhatTheGeneratorMakes() throws IOException {
        if (WRITE) {
            Files.createDirectories(SiteConfigSeeds.CORPUS);
        }
        for (Map.Entry<String, byte[]> seed : SiteConfigSeeds.generate().entrySet()) {
            Path file = SiteConfigSeeds.CORPUS.resolve(seed.getKey());
            if (WRITE) {
                Files.write(file, seed.getValue());
            } else {
                assertTrue(Files.exists(file), file + " is missing; regenerate with -Dbraid.fuzz.writeSeeds=true");
                assertArrayEquals(seed.getValue(), Files.readAllBytes(file),
                        file + " differs from what SiteConfigSeeds makes now; regenerate with -Dbraid.fuzz.writeSeeds=true");
            }
        }
    }

    @Test
    void theExampleSeedsAreValidConfigs() throws IOException {
        WireGuardKeys.writeKeyFile(dir.resolve(SiteConfigSeeds.KEY_FILE_A), SiteConfigSeeds.PRIVATE_A);
        WireGuardKeys.writeKeyFile(dir.resolve(SiteConfigSeeds.KEY_FILE_B), SiteConfigSeeds.PRIVATE_B);
        Map<String, byte[]> seeds = SiteConfigSeeds.generate();
        for (String name : new String[] {"seed-site-a", "seed-site-b", "seed-minimal", "seed-with-preshared-key"}) {
            Path config = dir.resolve(name + ".yaml");
            Files.write(config, seeds.get(name));
            SiteFiles.CheckRun run = SiteFiles.check(config, 4);
            assertEquals(0, run.status(), name + ":\n" + run.err());
        }
    }
}
