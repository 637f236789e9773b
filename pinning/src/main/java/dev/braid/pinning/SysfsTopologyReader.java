package dev.braid.pinning;

import dev.braid.pinning.CpuTopology.CoreKind;
import dev.braid.pinning.CpuTopology.CpuTopologyException;
import dev.braid.pinning.CpuTopology.PhysicalCore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads a {@link CpuTopology} from a tree laid out like / (the live machine or a recorded copy).
 *
 * <p>Order: the process's allowed CPUs ({@code proc/self/status}), the online CPUs
 * ({@code sys/devices/system/cpu/online}), each online CPU's {@code topology/} directory (SMT
 * siblings from {@code core_cpus_list}, or the older {@code thread_siblings_list}; ids), the hybrid
 * PMU lists {@code sys/devices/cpu_core/cpus} and {@code sys/devices/cpu_atom/cpus}, and the
 * isolated list. CPUs are grouped into physical cores by their sibling lists (merged, so one CPU
 * that lists a sibling is enough). A missing file gets a fallback and a note; a file that exists
 * but does not parse is a {@link CpuTopologyException} naming it.
 */
final class SysfsTopologyReader {

    private static final Pattern CPU_DIRECTORY = Pattern.compile("cpu(\\d+)");

    private final Path root;
    private final Path cpuDirectory;
    private final List<String> notes = new ArrayList<>();
    /** file name -> CPUs it was missing for; one note per file instead of one per CPU. */
    private final Map<String, TreeSet<Integer>> missingPerCpu = new LinkedHashMap<>();

    private SysfsTopologyReader(Path root) {
        this.root = root;
        this.cpuDirectory = root.resolve("sys/devices/system/cpu");
    }

    /**
     * @param allowedFallback  asked for the allowed CPUs when proc/self/status does not give them
     * @param fallbackCpuCount how many CPUs to assume when sysfs does not list any
     */
    static CpuTopology read(Path root, Supplier<Optional<SortedSet<Integer>>> allowedFallback, int fallbackCpuCount) {
        return new SysfsTopologyReader(root).readAll(allowedFallback, fallbackCpuCount);
    }

    private CpuTopology readAll(Supplier<Optional<SortedSet<Integer>>> allowedFallback, int fallbackCpuCount) {
        Optional<SortedSet<Integer>> allowed = readAllowedCpus(allowedFallback);
        SortedSet<Integer> online = readOnlineCpus(allowed, fallbackCpuCount);
        CoreKinds kinds = readCoreKinds();
        List<PhysicalCore> cores = readCores(online, kinds);
        SortedSet<Integer> isolated = readIsolatedCpus(online);

        TreeSet<Integer> allowedOnline = new TreeSet<>(allowed.orElse(online));
        allowedOnline.retainAll(online);
        if (allowed.isPresent() && allowedOnline.isEmpty()) {
            notes.add("none of the allowed CPUs (" + CpuList.format(allowed.get()) + ") is online");
        }
        missingPerCpu.forEach((file, cpus) -> notes.add(file + " missing for cpu" + (cpus.size() > 1 ? "s " : " ")
                + CpuList.format(cpus) + ": " + fallbackFor(file)));
        return new CpuTopology(cores, allowedOnline, isolated, notes);
    }

    private Optional<SortedSet<Integer>> readAllowedCpus(Supplier<Optional<SortedSet<Integer>>> fallback) {
        Path status = root.resolve("proc/self/status");
        Optional<String> text = readIfPresent(status);
        if (text.isPresent()) {
            for (String line : text.get().split("\n")) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    SortedSet<Integer> allowed = parseList(status, line.substring("Cpus_allowed_list:".length()));
                    if (!allowed.isEmpty()) {
                        return Optional.of(allowed);
                    }
                }
            }
        }
        Optional<SortedSet<Integer>> fromFallback = fallback.get();
        if (fromFallback.isPresent() && !fromFallback.get().isEmpty()) {
            notes.add(status + " gave no Cpus_allowed_list: allowed CPUs taken from sched_getaffinity");
            return fromFallback;
        }
        notes.add(status + " gave no Cpus_allowed_list: every online CPU is assumed allowed");
        return Optional.empty();
    }

    private SortedSet<Integer> readOnlineCpus(Optional<SortedSet<Integer>> allowed, int fallbackCpuCount) {
        Path onlineFile = cpuDirectory.resolve("online");
        Optional<String> text = readIfPresent(onlineFile);
        if (text.isPresent()) {
            SortedSet<Integer> online = parseList(onlineFile, text.get());
            if (!online.isEmpty()) {
                return online;
            }
        }
        SortedSet<Integer> fromDirectories = onlineFromCpuDirectories();
        if (!fromDirectories.isEmpty()) {
            notes.add(onlineFile + " missing or empty: online CPUs taken from the cpuN directories ("
                    + CpuList.format(fromDirectories) + ")");
            return fromDirectories;
        }
        if (allowed.isPresent()) {
            notes.add(onlineFile + " missing and no cpuN directories: the allowed CPUs are taken as online");
            return allowed.get();
        }
        TreeSet<Integer> assumed = new TreeSet<>();
        for (int cpu = 0; cpu < Math.max(1, fallbackCpuCount); cpu++) {
            assumed.add(cpu);
        }
        notes.add(onlineFile + " missing and no cpuN directories: assuming cpus " + CpuList.format(assumed));
        return assumed;
    }

    /** cpuN directories whose own {@code online} file is absent (cpu0 has none) or says 1. */
    private SortedSet<Integer> onlineFromCpuDirectories() {
        TreeSet<Integer> online = new TreeSet<>();
        if (!Files.isDirectory(cpuDirectory)) {
            return online;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(cpuDirectory)) {
            for (Path entry : entries) {
                var matcher = CPU_DIRECTORY.matcher(entry.getFileName().toString());
                if (matcher.matches() && Files.isDirectory(entry)) {
                    int cpu = Integer.parseInt(matcher.group(1));
                    Optional<String> state = readIfPresent(entry.resolve("online"));
                    if (state.isEmpty() || !state.get().strip().equals("0")) {
                        online.add(cpu);
                    }
                }
            }
        } catch (IOException e) {
            throw new CpuTopologyException("cannot list " + cpuDirectory + ": " + e.getMessage(), e);
        }
        return online;
    }

    /** Which CPUs the hybrid PMUs claim; both empty on non-hybrid machines (no such files). */
    private record CoreKinds(SortedSet<Integer> performance, SortedSet<Integer> efficiency, boolean hybrid) {
    }

    private CoreKinds readCoreKinds() {
        Path coreFile = root.resolve("sys/devices/cpu_core/cpus");
        Path atomFile = root.resolve("sys/devices/cpu_atom/cpus");
        Optional<String> coreText = readIfPresent(coreFile);
        Optional<String> atomText = readIfPresent(atomFile);
        if (coreText.isEmpty() && atomText.isEmpty()) {
            return new CoreKinds(new TreeSet<>(), new TreeSet<>(), false);
        }
        SortedSet<Integer> performance = coreText.map(text -> parseList(coreFile, text)).orElseGet(TreeSet::new);
        SortedSet<Integer> efficiency = atomText.map(text -> parseList(atomFile, text)).orElseGet(TreeSet::new);
        return new CoreKinds(performance, efficiency, true);
    }

    private List<PhysicalCore> readCores(SortedSet<Integer> online, CoreKinds kinds) {
        Map<Integer, CpuFacts> facts = new TreeMap<>();
        SiblingGroups groups = new SiblingGroups(online);
        TreeSet<Integer> unclaimedOnHybrid = new TreeSet<>();
        for (int cpu : online) {
            CpuFacts cpuFacts = readCpuFacts(cpu, online);
            facts.put(cpu, cpuFacts);
            cpuFacts.siblings().forEach(sibling -> groups.join(cpu, sibling));
            if (kinds.hybrid() && !kinds.performance().contains(cpu) && !kinds.efficiency().contains(cpu)) {
                unclaimedOnHybrid.add(cpu);
            }
        }
        if (!unclaimedOnHybrid.isEmpty()) {
            notes.add("cpu" + (unclaimedOnHybrid.size() > 1 ? "s " : " ") + CpuList.format(unclaimedOnHybrid)
                    + " in neither sys/devices/cpu_core/cpus nor sys/devices/cpu_atom/cpus: treated as P-cores");
        }
        List<PhysicalCore> cores = new ArrayList<>();
        for (SortedSet<Integer> members : groups.groups()) {
            int first = members.first();
            CpuFacts firstFacts = facts.get(first);
            CoreKind kind = kinds.efficiency().contains(first) ? CoreKind.EFFICIENCY : CoreKind.PERFORMANCE;
            boolean mixed = members.stream().anyMatch(cpu -> kinds.efficiency().contains(cpu) != (kind == CoreKind.EFFICIENCY));
            if (mixed) {
                notes.add("SMT siblings " + CpuList.format(members) + " are listed as different core kinds: taken as "
                        + kind.label() + " like cpu " + first);
            }
            cores.add(new PhysicalCore(firstFacts.packageId(), firstFacts.coreId(), kind, List.copyOf(members),
                    firstFacts.dieId(), firstFacts.clusterId()));
        }
        return cores;
    }

    /** What one CPU's topology directory says. */
    private record CpuFacts(SortedSet<Integer> siblings, int coreId, int packageId, int dieId, int clusterId) {
    }

    private CpuFacts readCpuFacts(int cpu, SortedSet<Integer> online) {
        Path topology = cpuDirectory.resolve("cpu" + cpu).resolve("topology");
        SortedSet<Integer> siblings = readSiblings(cpu, topology);
        TreeSet<Integer> onlineSiblings = new TreeSet<>(siblings);
        onlineSiblings.retainAll(online);
        onlineSiblings.add(cpu);
        int coreId = readId(cpu, topology.resolve("core_id"), true).orElse(cpu);
        int packageId = readId(cpu, topology.resolve("physical_package_id"), true).orElse(0);
        // die_id appeared in Linux 5.2 and cluster_id in 5.16: older kernels lack them, no note needed.
        int dieId = readId(cpu, topology.resolve("die_id"), false).orElse(0);
        int clusterId = readId(cpu, topology.resolve("cluster_id"), false).orElse(-1);
        return new CpuFacts(onlineSiblings, coreId, packageId, dieId, clusterId);
    }

    private SortedSet<Integer> readSiblings(int cpu, Path topology) {
        // core_cpus_list is the current name (Linux 5.5+); thread_siblings_list the deprecated one.
        for (String name : List.of("core_cpus_list", "thread_siblings_list")) {
            Path file = topology.resolve(name);
            Optional<String> text = readIfPresent(file);
            if (text.isPresent()) {
                return parseList(file, text.get());
            }
        }
        missing("topology/core_cpus_list and thread_siblings_list", cpu);
        return new TreeSet<>(List.of(cpu));
    }

    private Optional<Integer> readId(int cpu, Path file, boolean noteIfMissing) {
        Optional<String> text = readIfPresent(file);
        if (text.isEmpty()) {
            if (noteIfMissing) {
                missing("topology/" + file.getFileName(), cpu);
            }
            return Optional.empty();
        }
        String value = text.get().strip();
        try {
            return Optional.of(Integer.parseInt(value));
        } catch (NumberFormatException e) {
            throw new CpuTopologyException(file + " does not hold a number: \"" + value + "\"", e);
        }
    }

    private SortedSet<Integer> readIsolatedCpus(SortedSet<Integer> online) {
        Path isolatedFile = cpuDirectory.resolve("isolated");
        Optional<String> text = readIfPresent(isolatedFile);
        if (text.isEmpty()) {
            notes.add(isolatedFile + " missing: no CPU is taken as isolated");
            return new TreeSet<>();
        }
        TreeSet<Integer> isolated = new TreeSet<>(parseList(isolatedFile, text.get()));
        isolated.retainAll(online);
        return isolated;
    }

    private void missing(String file, int cpu) {
        missingPerCpu.computeIfAbsent(file, key -> new TreeSet<>()).add(cpu);
    }

    private static String fallbackFor(String file) {
        return switch (file) {
            case "topology/core_id" -> "the CPU number is used as its core id";
            case "topology/physical_package_id" -> "package 0 assumed";
            default -> "each such CPU is taken as a core of its own (no SMT siblings known)";
        };
    }

    private static SortedSet<Integer> parseList(Path file, String text) {
        try {
            return CpuList.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CpuTopologyException(file + " is not a CPU list: " + e.getMessage(), e);
        }
    }

    /** The file's text; empty when it does not exist or may not be read (containers mask parts of /sys). */
    private Optional<String> readIfPresent(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (AccessDeniedException e) {
            notes.add(file + " may not be read (permission denied): treated as missing");
            return Optional.empty();
        } catch (IOException e) {
            throw new CpuTopologyException("cannot read " + file + ": " + e, e);
        }
    }

    /** Union-find over CPU numbers: CPUs that name each other as siblings end in one group. */
    private static final class SiblingGroups {
        private final Map<Integer, Integer> parent = new TreeMap<>();

        SiblingGroups(SortedSet<Integer> cpus) {
            cpus.forEach(cpu -> parent.put(cpu, cpu));
        }

        void join(int a, int b) {
            if (!parent.containsKey(a) || !parent.containsKey(b)) {
                return;
            }
            int rootA = find(a);
            int rootB = find(b);
            if (rootA != rootB) {
                parent.put(Math.max(rootA, rootB), Math.min(rootA, rootB));
            }
        }

        private int find(int cpu) {
            int current = cpu;
            while (parent.get(current) != current) {
                current = parent.get(current);
            }
            return current;
        }

        List<SortedSet<Integer>> groups() {
            Map<Integer, SortedSet<Integer>> byRoot = new TreeMap<>();
            parent.keySet().forEach(cpu -> byRoot.computeIfAbsent(find(cpu), key -> new TreeSet<>()).add(cpu));
            return new ArrayList<>(byRoot.values());
        }
    }
}
