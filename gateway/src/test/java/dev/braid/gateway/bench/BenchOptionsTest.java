package dev.braid.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class BenchOptionsTest {
    private static List<String> names(BenchOptions o) {
        return o.scenarios().stream().map(Scenario::name).toList();
    }

    @Test
    void defaultsFollowTheMachinesCpuCount() throws Exception {
        BenchOptions o = BenchOptions.parse(List.of(), 4);
        assertEquals(List.of("underlay", "wireguard-go", "braid-1", "braid-4", "floating-penalty"), names(o));
        assertEquals(10, o.seconds());
        assertEquals(200, o.parameters().pingIdleCount());
        assertEquals(List.of("underlay", "wireguard-go", "braid-1", "floating-penalty"),
                names(BenchOptions.parse(List.of(), 1)), "braid-N is braid-1 on one CPU");
    }

    @Test
    void quickShortensButAnExplicitSecondsWins() throws Exception {
        assertEquals(5, BenchOptions.parse(List.of("--quick"), 2).seconds());
        assertEquals(100, BenchOptions.parse(List.of("--quick"), 2).parameters().pingIdleCount());
        assertEquals(3, BenchOptions.parse(List.of("--seconds", "3", "--quick"), 2).seconds());
        assertEquals(1, BenchOptions.parse(List.of(), 2).rounds());
        assertEquals(3, BenchOptions.parse(List.of("--rounds", "3"), 2).rounds());
    }

    @Test
    void onlyTakesNamesAliasesAndAnyBraidK() throws Exception {
        BenchOptions o = BenchOptions.parse(List.of("--only", "wg, braid-N,braid-3,floating,braid-2", "--workers", "2",
                "--out", "/tmp/x.json"), 8);
        assertEquals(List.of("wireguard-go", "braid-2", "braid-3", "floating-penalty"), names(o), "duplicates collapse");
        assertEquals(Path.of("/tmp/x.json"), o.out());
        assertEquals(2, o.workers());
    }

    @Test
    void badFlagsSayWhatIsWrong() {
        assertTrue(assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse(List.of("--only", "openvpn"), 2))
                .getMessage().contains("unknown scenario 'openvpn'"));
        assertTrue(assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse(List.of("--seconds"), 2))
                .getMessage().contains("needs a value"));
        assertTrue(assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse(List.of("--workers", "99"), 2))
                .getMessage().contains("1..16"));
        assertTrue(assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse(List.of("--seconds", "ten"), 2))
                .getMessage().contains("whole number"));
        assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse(List.of("--only", "braid-0"), 2));
        assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse(List.of("--fast"), 2));
    }
}
