package dev.braid.gateway.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.braid.ecmp.FloatingPlacement;
import dev.braid.ecmp.GroupUpdate;
import dev.braid.ecmp.IpPrefix;
import dev.braid.ecmp.Netlink;
import dev.braid.ecmp.PathSpec;
import dev.braid.ecmp.RoutingSpec;
import dev.braid.ecmp.SiteRouting;
import dev.braid.ecmp.SysctlChange;
import dev.braid.ecmp.UndoReport;
import dev.braid.gateway.plan.SitePlan;
import dev.braid.gateway.plan.WorkerPlan;
import dev.braid.instance.tun.TunDevice;
import dev.braid.pinning.ProcessAffinity;

/**
 * The site supervisor (`braid run`): turns a {@link SitePlan} into running workers and kernel routes,
 * keeps them so, and removes everything on stop.
 * <pre>
 *  start: state dir ─► SiteRouting.begin (undo a dead run's journal) ─► sysctls ─► floating /32
 *         ─► per worker: persistent TUN, its /30, nexthop ─► start workers ─► group + routes
 *  every tick (10 ms), on one thread: map new counters files ─► judge each path (PathHealth)
 *         ─► a changed live set goes to the kernel at once (SiteRouting.setLivePaths)
 *  a worker exits: its path is withdrawn now; it is restarted after its backoff, same CPU/port/TUN
 *  SIGTERM/SIGINT: stop workers ─► SiteRouting.teardown (journal undone) ─► exit 0
 * </pre>
 * Every state change happens on the single "braid-supervisor" thread, so nothing here is locked.
 */
public final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
    static final long TICK_MILLIS = 10;
    /**
     * How long paths of a starting site stay in the group before their first handshake: a lost
     * first initiation is retried after REKEY_TIMEOUT (5 s). Keeping them in meanwhile lets the
     * group start with every path and evenly spread buckets.
     */
    static final long STARTUP_GRACE_NANOS = 6_000_000_000L;
    private static final long STOP_GRACE_MILLIS = 2000;

    private final SitePlan plan;
    private final PathHealth health;
    private final List<ManagedWorker> workers = new ArrayList<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "braid-supervisor");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<Consumer<Supervisor>> startedListeners = new ArrayList<>();
    private final List<Runnable> stoppingListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Netlink netlink;
    private SiteRouting routing;
    private RoutingSpec routingSpec;
    private Set<Integer> liveNexthops = Set.of();
    private final long startedNanos = System.nanoTime();
    private volatile String floatingInterface = "";
    private volatile boolean stopping;

    public Supervisor(SitePlan plan) {
        this.plan = plan;
        this.health = new PathHealth(plan.config().health().deadAfterMs() * 1_000_000L);
        long capNanos = plan.config().health().restartBackoffMaxSeconds() * 1_000_000_000L;
        for (WorkerPlan w : plan.workers()) {
            workers.add(new ManagedWorker(w, WorkerLaunch.countersFile(plan, w),
                    WorkerLaunch.command(plan, w, plan.config().health().keepaliveIntervalMs()), capNanos));
        }
    }

    /** Runs until SIGTERM/SIGINT (or {@link #requestStop}); returns the process exit status. */
    public int run() throws Exception {
        prepareStateDir();
        plan.housekeepingCpu().ifPresent(cpu -> {
            int moved = ProcessAffinity.confineTo(Set.of(cpu));
            LOG.info("supervisor and its {} threads confined to housekeeping CPU {}", moved, cpu);
        });
        // SIGTERM/SIGINT end the run loop, which tears down and returns 0; the shutdown hook covers
        // the JVM being ended some other way (System.exit elsewhere, a signal we did not catch)
        dev.braid.instance.worker.StopSignals.install(this::requestStop);
        Thread hook = new Thread(this::stopFromSignal, "braid-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            netlink = Netlink.open();
            routing = SiteRouting.begin(plan.stateDir(), netlink);
            UndoReport previous = routing.previousRunCleanup();
            if (!previous.isEmpty()) {
                LOG.warn("a previous supervisor of site {} did not clean up; undone: {}", plan.site(), previous);
            }
            thread.submit(this::setUp).get();
            startedListeners.forEach(l -> l.accept(this));
            thread.scheduleWithFixedDelay(this::tickSafely, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            stopRequested.await();
        } finally {
            try {
                thread.submit(this::tearDown).get(30, TimeUnit.SECONDS);
            } finally {
                thread.shutdownNow();
                if (netlink != null) {
                    netlink.close();
                }
                stopped.countDown();
            }
        }
        return 0;
    }

    /** Lets the metrics exporter and status socket attach once the site is up. */
    public void onStarted(Consumer<Supervisor> listener) {
        startedListeners.add(listener);
    }

    /** Runs when the site starts tearing down (before the workers stop). */
    public void onStopping(Runnable listener) {
        stoppingListeners.add(listener);
    }

    public void requestStop() {
        stopping = true;
        stopRequested.countDown();
    }

    private void stopFromSignal() {
        LOG.info("stop requested (signal); tearing down site {}", plan.site());
        requestStop();
        try {
            stopped.await(40, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void prepareStateDir() throws IOException {
        Path dir = plan.stateDir();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    private void setUp() {
        boolean routesIpv6 = plan.routedPrefixes().stream().anyMatch(IpPrefix::isIpv6);
        for (SysctlChange c : routing.applySysctls()) {
            if (c.status() == SysctlChange.Status.CHANGED) {
                LOG.info("sysctl {} = {} (was {})", c.key(), c.newValue(), c.oldValue().strip());
            }
        }
        FloatingPlacement floating = routing.placeFloating(plan.floatingInterface(), plan.floatingAddress());
        floating.warning().ifPresent(LOG::warn);
        floatingInterface = floating.ifname();
        for (ManagedWorker w : workers) {
            routing.recordLinkCreatedByCaller(w.plan.tunName());
            TunDevice.createPersistent(w.plan.tunName());
            if (!routesIpv6) {
                // no IPv6 goes through the tunnel: without this the kernel's router solicitations and
                // MLD reports on every TUN would be counted as drops (disallowed destination)
                netlink.sysctl().write("net.ipv6.conf." + w.plan.tunName() + ".disable_ipv6", "1");
            }
            routing.configurePath(new PathSpec((int) w.plan.nexthopId(), w.plan.tunName(), w.plan.localLinkAddress(),
                    plan.tunnelMtuBytes()));
        }
        long now = System.nanoTime();
        for (ManagedWorker w : workers) {
            startWorker(w, now);
        }
        awaitCarriers(5_000);
        routingSpec = new RoutingSpec((int) plan.nexthopGroupId(), plan.routedPrefixes(), plan.floatingAddress().address());
        GroupUpdate update = routing.programRoutes(routingSpec);
        liveNexthops = new TreeSet<>(update.members());
        LOG.info("site {} up: {} workers, floating {} on {}, {}", plan.site(), workers.size(), plan.floatingAddress(),
                floating.ifname(), update.message());
    }

    /** Workers attach to their TUNs within a second or two; routes need carrier for their nexthops. */
    private void awaitCarriers(long timeoutMillis) {
        long end = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < end) {
            boolean all = true;
            for (ManagedWorker w : workers) {
                all &= w.openCountersIfReady();
            }
            if (all) {
                return;
            }
            sleep(20);
        }
        LOG.warn("not every worker was up within {} ms; routing over the ones that are", timeoutMillis);
    }

    private void startWorker(ManagedWorker w, long now) {
        try {
            Process p = w.start(now);
            LOG.info("worker {} started (pid {}, cpu {}, udp {}, {})", w.plan.index(), p.pid(), w.plan.cpu(),
                    w.plan.listenPort(), w.plan.tunName());
            p.onExit().thenAccept(exited -> thread.execute(() -> workerExited(w, exited)));
        } catch (IOException e) {
            LOG.error("worker {} could not be started: {}", w.plan.index(), e.getMessage());
            long delay = w.exited(-1, now);
            thread.schedule(() -> restart(w), delay, TimeUnit.NANOSECONDS);
        }
    }

    private void workerExited(ManagedWorker w, Process exited) {
        if (stopping || w.state() == ManagedWorker.State.STOPPED || exited.pid() != w.pid()) {
            return;
        }
        long now = System.nanoTime();
        int code = exited.exitValue();
        long delay = w.exited(code, now);
        if (w.pathState() != PathHealth.State.DOWN) {
            w.setPathState(PathHealth.State.DOWN, now);
            updateRoutes(now);
        }
        if (w.isCrashLooping(now)) {
            LOG.error("worker {} is crash-looping (exit status {}, {} restarts); next try in {} s", w.plan.index(),
                    code, w.restarts(), delay / 1_000_000_000L);
        } else {
            LOG.warn("worker {} exited with status {}; restarting in {} ms", w.plan.index(), code, delay / 1_000_000L);
        }
        thread.schedule(() -> restart(w), delay, TimeUnit.NANOSECONDS);
    }

    private void restart(ManagedWorker w) {
        if (stopping) {
            return;
        }
        w.restarted();
        startWorker(w, System.nanoTime());
    }

    private void tickSafely() {
        if (stopping) {
            return;
        }
        try {
            tick(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.error("supervisor tick failed: {}", e.toString(), e);
        }
    }

    private void tick(long now) {
        boolean changed = false;
        for (ManagedWorker w : workers) {
            w.openCountersIfReady();
            PathHealth.State s = health.evaluate(w.counters(), w.isAlive(), now);
            if (s == PathHealth.State.DOWN && w.pathState() == PathHealth.State.PENDING
                    && now - w.startedNanos() < STARTUP_GRACE_NANOS && w.isAlive()) {
                continue;
            }
            if (s != w.pathState()) {
                w.setPathState(s, now);
                changed = true;
                if (s == PathHealth.State.UP) {
                    LOG.info("path {} ({}) is up", w.plan.index(), w.plan.tunName());
                } else {
                    LOG.warn("path {} ({}) is down: {}", w.plan.index(), w.plan.tunName(),
                            health.whyDown(w.counters(), w.isAlive(), now));
                }
            }
        }
        if (changed) {
            updateRoutes(now);
        }
    }

    /**
     * Puts the live paths in the group. With no live path at all SiteRouting makes the routes
     * `unreachable`: traffic for the remote site then fails fast with ICMP unreachable instead of
     * vanishing into a dead tunnel or leaking, unencrypted, out of the default route.
     */
    private void updateRoutes(long now) {
        Set<Integer> live = new TreeSet<>();
        for (ManagedWorker w : workers) {
            if (w.pathState() != PathHealth.State.DOWN) {
                live.add((int) w.plan.nexthopId());
            }
        }
        if (live.equals(liveNexthops)) {
            return;
        }
        GroupUpdate u = routing.setLivePaths(live);
        liveNexthops = live.isEmpty() ? live : new TreeSet<>(u.members());
        if (live.isEmpty()) {
            LOG.warn("no path to the peer site is up: {}", u.message());
        } else {
            LOG.info("{} ({} us)", u.message(), u.elapsedNanos() / 1000);
        }
    }

    private void tearDown() {
        stopping = true;
        for (Runnable r : stoppingListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("while stopping: {}", e.toString());
            }
        }
        for (ManagedWorker w : workers) {
            w.stop(STOP_GRACE_MILLIS);
        }
        if (routing != null) {
            UndoReport report = routing.teardown();
            if (report.isClean()) {
                LOG.info("site {} stopped; removed {} changes", plan.site(), report.undone().size());
            } else {
                LOG.error("site {} stopped, but some changes could not be undone: {}", plan.site(), report.failures());
            }
            removeStateFiles();
        }
    }

    /** The counters files and the lock go with a clean stop; the directory too once it is empty. */
    private void removeStateFiles() {
        try {
            for (ManagedWorker w : workers) {
                Files.deleteIfExists(w.countersPath);
            }
            Files.deleteIfExists(plan.stateDir().resolve("routing.lock"));
            try (var left = Files.list(plan.stateDir())) {
                if (left.findAny().isEmpty()) {
                    Files.delete(plan.stateDir());
                }
            }
        } catch (IOException e) {
            LOG.warn("could not remove state files in {}: {}", plan.stateDir(), e.getMessage());
        }
    }

    /**
     * A consistent status snapshot, taken on the supervisor's thread (so it never races a path
     * change); waits at most a second, for a supervisor that is busy starting or stopping.
     */
    public dev.braid.gateway.status.SiteStatus snapshot() throws Exception {
        return thread.submit(() -> StatusSnapshot.take(this, startedNanos)).get(1, TimeUnit.SECONDS);
    }

    String floatingInterface() {
        return floatingInterface;
    }

    // ---- read-only views for status and metrics (called on any thread; values may be a tick old)

    public SitePlan plan() {
        return plan;
    }

    List<ManagedWorker> workers() {
        return workers;
    }

    Set<Integer> liveNexthops() {
        return liveNexthops;
    }

    Netlink netlink() {
        return netlink;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
