package dev.braid.gateway.config;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import dev.braid.gateway.cli.CheckCommand;
import dev.braid.gateway.lab.LabKey;
import dev.braid.gateway.plan.CpuPlanner;
import dev.braid.gateway.plan.SitePlanner;
import dev.braid.pinning.CpuPlan;
import dev.braid.pinning.CpuTopology;

/**
 * Test fixture: two sites' key files (mode 600) in a temp dir, a valid config for each, and runs of
 * `braid check` against a fake machine with a given number of usable cores.
 */
public final class SiteFiles {
    public final Path dir;
    public final Path keyA;
    public final Path keyB;
    public final String publicA;
    public final String publicB;

    public SiteFiles(Path dir) throws IOException {
        this.dir = dir;
        SecureRandom random = new SecureRandom();
        LabKey a = LabKey.create(dir.resolve("a.key"), random);
        LabKey b = LabKey.create(dir.resolve("b.key"), random);
        keyA = a.file();
        keyB = b.file();
        publicA = a.publicKey();
        publicB = b.publicKey();
    }

    /** A valid config for site A with 4 workers; tests edit lines of it. */
    public String configA() {
        return """
                site: hq
                private_key_file: %s
                peer:
                  public_key: "%s"
                  endpoint: 203.0.113.7:51820
                listen:
                  base_port: 51820
                workers: 4
                link_pool: 10.14.0.0/24
                floating:
                  address: 10.0.55.1/32
                remote:
                  floating_address: 10.0.55.2/32
                  prefixes: [192.168.20.0/24]
                local_prefixes: [192.168.10.0/24]
                state_dir: %s
                """.formatted(keyA, publicB, dir.resolve("state-hq"));
    }

    /** Site A's config with {@code from} (which must occur) replaced by {@code to}. */
    public String configAWith(String from, String to) {
        String base = configA();
        if (!base.contains(from)) {
            throw new IllegalArgumentException("the base config has no '" + from + "'");
        }
        return base.replace(from, to);
    }

    public Path write(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /** The 1-based line of the first line of {@code yaml} containing {@code fragment}. */
    public static int lineOf(String yaml, String fragment) {
        List<String> lines = yaml.lines().toList();
        return IntStream.range(0, lines.size()).filter(i -> lines.get(i).contains(fragment)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no line contains '" + fragment + "'")) + 1;
    }

    /** A planner for a fake machine: {@code cores} usable cores, CPUs 1..cores for workers, CPU 0 for housekeeping. */
    public static SitePlanner plannerWithCores(int cores) {
        return plannerWithCores(cores, true);
    }

    /**
     * A planner for a fake machine with {@code cores} usable cores for workers, shared round-robin;
     * with {@code housekeeping} CPU 0 is kept for it and the workers get CPUs 1..cores, without it
     * the workers get CPUs 0..cores-1 and there is no housekeeping CPU.
     */
    public static SitePlanner plannerWithCores(int cores, boolean housekeeping) {
        CpuTopology topology = new CpuTopology(List.of(), Set.of(), Set.of());
        int first = housekeeping ? 1 : 0;
        return new SitePlanner(() -> topology, new CpuPlanner() {
            @Override
            public int autoWorkerCount(CpuTopology t) {
                return cores;
            }

            @Override
            public CpuPlan plan(CpuTopology t, int workers, boolean allowOversubscription) {
                if (workers > cores && !allowOversubscription) {
                    throw new CpuPlan.CpuPlanException(workers + " workers but only " + cores + " usable physical cores");
                }
                List<Integer> cpus = new ArrayList<>();
                for (int i = 0; i < workers; i++) {
                    cpus.add(first + i % cores);
                }
                List<String> notes = workers > cores ? List.of("oversubscribed: CPUs shared round-robin") : List.of();
                return new CpuPlan(cpus, housekeeping ? java.util.OptionalInt.of(0) : java.util.OptionalInt.empty(), notes);
            }
        });
    }

    /** What `braid check` printed and returned. */
    public record CheckRun(int status, String out, String err) {
    }

    public static CheckRun check(Path config, int cores) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new CheckCommand(plannerWithCores(cores)).run(List.of(config.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CheckRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
