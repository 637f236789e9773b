package dev.braid.gateway.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.braid.ecmp.lab.Netns;
import dev.braid.ecmp.lab.impair.ImpairmentRelay;
import dev.braid.ecmp.lab.impair.RelayLab;
import dev.braid.instance.counters.Counter;
import dev.braid.instance.counters.CountersFile;

/**
 * Two Braid sites in network namespaces, as `braid demo`, the integration tests and the benchmark
 * harness build them:
 * <pre>
 *  lan-a 192.168.10.2 ── 192.168.10.1 [site A] 198.18.0.1 ══ veth underlay ══ 198.18.0.2 [site B] 192.168.20.1 ── 192.168.20.2 lan-b
 *                                   floating 10.0.55.1                       floating 10.0.55.2
 * </pre>
 * With {@link Options#relayed} the underlay is instead A — R — B through the lab's impairment
 * relay (delay, jitter, loss, reordering, blackholing one path), which is then the sites' only way to
 * each other ({@link RelayLab}).
 * Each site gets its own key pair, a config written from the same template as configs/site-*.yaml
 * and a real `braid run` supervisor (a child JVM inside the site's namespace) with N workers.
 * Closing stops the supervisors with SIGTERM (they remove what they added) and then deletes the
 * namespaces, whatever happened before.
 */
public final class SiteLab implements AutoCloseable {
    public static final String FLOATING_A = "10.0.55.1";
    public static final String FLOATING_B = "10.0.55.2";
    public static final String UNDERLAY_A = "198.18.0.1";
    public static final String UNDERLAY_B = "198.18.0.2";
    public static final String LAN_HOST_A = "192.168.10.2";
    public static final String LAN_HOST_B = "192.168.20.2";
    public static final int BASE_PORT = 51820;

    /** One site: its namespace, LAN host namespace, config, state directory and supervisor. */
    public static final class Site {
        public final String name;
        public final Netns ns;
        public final Netns lan;
        public final Path config;
        public final Path stateDir;
        private Process supervisor;
        private final Path log;

        Site(String name, Netns ns, Netns lan, Path config, Path stateDir, Path log) {
            this.name = name;
            this.ns = ns;
            this.lan = lan;
            this.config = config;
            this.stateDir = stateDir;
            this.log = log;
        }

        public Path countersFile(int worker) {
            return stateDir.resolve("worker-" + worker + ".counters");
        }

        public Process supervisor() {
            return supervisor;
        }

        public Path log() {
            return log;
        }
    }

    /** What to build: worker count per site, optional config lines appended to both configs, relay or not. */
    public record Options(int workers, List<String> extraConfig, boolean relayed) {
        public static Options workers(int n) {
            return new Options(n, List.of(), false);
        }

        /** The underlay goes through the impairment relay. */
        public static Options relayed(int n) {
            return new Options(n, List.of(), true);
        }

        public Options withConfig(String... lines) {
            List<String> all = new ArrayList<>(extraConfig);
            all.addAll(List.of(lines));
            return new Options(workers, all, relayed);
        }
    }

    private final Path dir;
    private final int workers;
    public final Site a;
    public final Site b;
    private final List<Netns> namespaces = new ArrayList<>();
    private RelayLab relayLab;
    private ImpairmentRelay relay;

    private SiteLab(Path dir, int workers, Site a, Site b) {
        this.dir = dir;
        this.workers = workers;
        this.a = a;
        this.b = b;
    }

    public static SiteLab build(Path dir, Options options) throws IOException {
        Netns.sweepStale();
        Files.createDirectories(dir);
        List<Netns> made = new ArrayList<>();
        RelayLab relayLab = null;
        try {
            Netns nsA;
            Netns nsB;
            String peerOfA;
            String peerOfB;
            if (options.relayed()) {
                relayLab = RelayLab.create("s");
                nsA = relayLab.siteA();
                nsB = relayLab.siteB();
                peerOfA = RelayLab.RELAY_A_ADDRESS;
                peerOfB = RelayLab.RELAY_B_ADDRESS;
            } else {
                nsA = track(made, Netns.create("a"));
                nsB = track(made, Netns.create("b"));
                Netns.veth(nsA, "ua", nsB, "ub");
                nsA.ip("addr", "add", UNDERLAY_A + "/24", "dev", "ua");
                nsB.ip("addr", "add", UNDERLAY_B + "/24", "dev", "ub");
                if (!nsA.waitForPing(UNDERLAY_B, Duration.ofSeconds(10))) {
                    throw new IOException("the underlay veth between the two sites does not carry pings");
                }
                peerOfA = UNDERLAY_B;
                peerOfB = UNDERLAY_A;
            }
            Netns lanA = track(made, Netns.create("lana"));
            Netns lanB = track(made, Netns.create("lanb"));
            lan(nsA, lanA, "192.168.10");
            lan(nsB, lanB, "192.168.20");
            SecureRandom random = new SecureRandom();
            LabKey keyA = LabKey.create(dir.resolve("site-a.key"), random);
            LabKey keyB = LabKey.create(dir.resolve("site-b.key"), random);
            String tag = Long.toString(ProcessHandle.current().pid(), 36);
            Site a = site("lab" + tag + "a", nsA, lanA, dir, keyA.file(), keyB.publicKey(), peerOfA, FLOATING_A, FLOATING_B,
                    "192.168.10.0/24", "192.168.20.0/24", options);
            Site b = site("lab" + tag + "b", nsB, lanB, dir, keyB.file(), keyA.publicKey(), peerOfB, FLOATING_B, FLOATING_A,
                    "192.168.20.0/24", "192.168.10.0/24", options);
            SiteLab lab = new SiteLab(dir, options.workers(), a, b);
            lab.namespaces.addAll(made);
            if (relayLab != null) {
                lab.relayLab = relayLab;
                List<Integer> ports = new ArrayList<>();
                for (int i = 0; i < options.workers(); i++) {
                    ports.add(BASE_PORT + i);
                }
                lab.relay = relayLab.startRelay(ports);
            }
            return lab;
        } catch (IOException | RuntimeException e) {
            for (Netns ns : made) {
                ns.close();
            }
            if (relayLab != null) {
                relayLab.close();
            }
            throw e;
        }
    }

    private static Netns track(List<Netns> made, Netns ns) {
        made.add(ns);
        return ns;
    }

    /** A LAN: the site's namespace routes 24-bit {@code net}.0/24 to a host namespace at .2. */
    private static void lan(Netns site, Netns host, String net) {
        Netns.veth(site, "lan", host, "eth0");
        site.ip("addr", "add", net + ".1/24", "dev", "lan");
        host.ip("addr", "add", net + ".2/24", "dev", "eth0");
        host.ip("route", "add", "default", "via", net + ".1");
    }

    private static Site site(String name, Netns ns, Netns lan, Path dir, Path key, String peerKey, String peerUnderlay,
                             String floating, String remoteFloating, String localPrefix, String remotePrefix,
                             Options options) throws IOException {
        Path stateDir = Path.of("/run/braid", name);
        StringBuilder yaml = new StringBuilder();
        // Both sites share this machine's CPUs. The two ends of path i are stages of one pipeline:
        // site B's workers take the CPUs rotated by one, so each pair runs on two different CPUs.
        List<Integer> usable = List.copyOf(dev.braid.pinning.CpuTopology.readLocal().usableCpus());
        int rotate = floating.equals(FLOATING_B) ? 1 : 0;
        List<String> cpus = new ArrayList<>();
        for (int i = 0; i < options.workers(); i++) {
            cpus.add(Integer.toString(usable.get((i + rotate) % usable.size())));
        }
        yaml.append("# written by the Braid lab (SiteLab) for namespace ").append(ns.name()).append('\n')
                .append("site: ").append(name).append('\n')
                .append("private_key_file: ").append(key).append('\n')
                .append("peer:\n  public_key: \"").append(peerKey).append("\"\n")
                .append("  endpoint: ").append(peerUnderlay).append(':').append(BASE_PORT).append('\n')
                .append("listen:\n  base_port: ").append(BASE_PORT).append('\n')
                .append("workers: ").append(options.workers()).append('\n')
                .append("allow_oversubscription: true\n")
                .append("worker_cpus: [").append(String.join(", ", cpus)).append("]\n")
                .append("link_pool: 10.14.0.0/24\n")
                .append("floating:\n  address: ").append(floating).append("/32\n  interface: braid-float\n")
                .append("remote:\n  floating_address: ").append(remoteFloating).append("/32\n")
                .append("  prefixes: [").append(remotePrefix).append("]\n")
                .append("local_prefixes: [").append(localPrefix).append("]\n")
                .append("state_dir: ").append(stateDir).append('\n');
        for (String line : options.extraConfig()) {
            yaml.append(line).append('\n');
        }
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, yaml.toString());
        return new Site(name, ns, lan, config, stateDir, dir.resolve(name + ".log"));
    }

    /** The impairment relay between the sites (only for {@link Options#relayed} labs). */
    public ImpairmentRelay relay() {
        if (relay == null) {
            throw new IllegalStateException("this lab has no relay: build it with Options.relayed");
        }
        return relay;
    }

    /** The relay's middle namespace R (only for {@link Options#relayed} labs). */
    public Netns relayNamespace() {
        if (relayLab == null) {
            throw new IllegalStateException("this lab has no relay: build it with Options.relayed");
        }
        return relayLab.relayNamespace();
    }

    public boolean relayed() {
        return relayLab != null;
    }

    public int workers() {
        return workers;
    }

    public Path dir() {
        return dir;
    }

    /** The java command that runs the braid CLI with this JVM's class path. */
    public static List<String> braidCommand(String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC", "-Xms32m", "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.braid.gateway.BraidCli"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts `braid run` for a site inside its namespace. */
    public void startSupervisor(Site site) throws IOException {
        site.supervisor = site.ns.start(braidCommand("run", site.config.toString()), site.log);
    }

    public void startSupervisors() throws IOException {
        startSupervisor(a);
        startSupervisor(b);
    }

    /** Number of workers of {@code site} whose counters say they hold a session. */
    public int sessions(Site site) {
        int up = 0;
        for (int i = 0; i < workers; i++) {
            try (CountersFile c = CountersFile.open(site.countersFile(i))) {
                if (c.get(Counter.SESSION_ESTABLISHED) == 1) {
                    up++;
                }
            } catch (IOException notYet) {
                // the worker has not written its counters yet
            }
        }
        return up;
    }

    /** Waits until every worker of both sites holds a session; false on timeout or a dead supervisor. */
    public boolean awaitSessions(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!a.supervisor.isAlive() || !b.supervisor.isAlive()) {
                return false;
            }
            if (sessions(a) == workers && sessions(b) == workers) {
                return true;
            }
            Netns.sleep(50);
        }
        return false;
    }

    /** Per-worker counter values of a site (0 where a worker has no counters file yet). */
    public long[] perWorker(Site site, Counter counter) {
        long[] out = new long[workers];
        for (int i = 0; i < workers; i++) {
            try (CountersFile c = CountersFile.open(site.countersFile(i))) {
                out[i] = c.get(counter);
            } catch (IOException notYet) {
                out[i] = 0;
            }
        }
        return out;
    }

    /** SIGTERM to a site's supervisor, waiting for it to clean up and exit; returns its exit status. */
    public int stopSupervisor(Site site, Duration timeout) throws InterruptedException {
        Process p = site.supervisor;
        if (p == null) {
            return 0;
        }
        p.destroy();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return p.exitValue();
    }

    /** The last lines of a site's supervisor log, for failure messages. */
    public static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        for (Site s : List.of(a, b)) {
            try {
                stopSupervisor(s, Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Netns ns : namespaces) {
            ns.close();
        }
        if (relayLab != null) {
            relayLab.close();
        }
    }
}
