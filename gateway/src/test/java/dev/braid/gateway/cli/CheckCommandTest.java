package dev.braid.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.braid.gateway.config.SiteFiles;
import dev.braid.gateway.config.SiteFiles.CheckRun;

class CheckCommandTest {
    @TempDir
    Path dir;
    SiteFiles files;

    @BeforeEach
    void keys() throws IOException {
        files = new SiteFiles(dir);
    }

    @Test
    void printsTheHeaderAndOneTableRowPerWorker() throws IOException {
        Path config = files.write("site.yaml", files.configA());
        CheckRun run = SiteFiles.check(config, 4);
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err());
        String out = run.out();
        assertTrue(out.startsWith(config + ": valid; plan for site hq"), out);
        assertTrue(out.contains("public key        " + files.publicA), out);
        assertTrue(out.contains("peer key          " + files.publicB), out);
        assertTrue(out.contains("peer endpoint     203.0.113.7 UDP 51820..51823"), out);
        assertTrue(out.contains("tunnel MTU        1440 (auto: underlay 1500 - 60 tunnel overhead)"), out);
        assertTrue(out.contains("routes            10.0.55.2/32, 192.168.20.0/24 -> nexthop group 518200"), out);
        assertTrue(out.contains("housekeeping CPU  0"), out);
        assertFalse(out.contains(Files.readString(files.keyA).strip()), "the private key is never printed");

        List<String> table = out.lines().dropWhile(l -> !l.startsWith("worker  ")).toList();
        assertEquals(5, table.size(), out);
        assertTrue(table.get(0).matches("worker +CPU +UDP port \\(local->peer\\) +TUN +local link +peer link +nexthop id"), table.get(0));
        boolean first = files.publicA.compareTo(files.publicB) != 0
                && new dev.braid.gateway.config.WireGuardPublicKey(files.publicA)
                        .compareTo(new dev.braid.gateway.config.WireGuardPublicKey(files.publicB)) < 0;
        for (int i = 0; i < 4; i++) {
            String local = "10.14.0." + (4 * i + (first ? 1 : 2)) + "/30";
            String peer = "10.14.0." + (4 * i + (first ? 2 : 1)) + "/30";
            List<String> cells = List.of(table.get(1 + i).split(" +"));
            assertEquals(List.of(String.valueOf(i), String.valueOf(1 + i), (51820 + i) + "->" + (51820 + i), "braid" + i, local, peer,
                    String.valueOf(518201 + i)), cells);
        }
    }

    @Test
    void checkingChangesNothing() throws IOException {
        Path config = files.write("site.yaml", files.configA());
        List<String> before = listing();
        assertEquals(0, SiteFiles.check(config, 4).status());
        assertEquals(before, listing());
        assertFalse(Files.exists(dir.resolve("state-hq")), "the state dir is not created");
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.map(p -> p + " " + p.toFile().lastModified()).sorted().toList();
        }
    }

    @Test
    void anUnreadableMachineIsStatus1NotAConfigError() throws IOException {
        Path config = files.write("site.yaml", files.configA());
        var planner = new dev.braid.gateway.plan.SitePlanner(() -> {
            throw new IllegalStateException("no /sys here");
        }, dev.braid.gateway.plan.CpuPlanner.standard());
        var err = new java.io.ByteArrayOutputStream();
        int status = new CheckCommand(planner).run(List.of(config.toString()), new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                new java.io.PrintStream(err));
        assertEquals(1, status);
        assertTrue(err.toString().contains("no /sys here"), err.toString());
    }
}
