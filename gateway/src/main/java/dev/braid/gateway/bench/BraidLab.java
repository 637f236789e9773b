package dev.braid.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.braid.gateway.config.ConfigException;
import dev.braid.gateway.config.SiteConfigLoader;
import dev.braid.gateway.lab.SiteLab;
import dev.braid.gateway.plan.SitePlan;
import dev.braid.gateway.plan.SitePlanner;
import dev.braid.gateway.plan.WorkerPlan;
import dev.braid.instance.counters.Counter;

/**
 * Braid as a user runs it: two sites of {@link SiteLab} (real `braid run` supervisors, N workers
 * each), traffic between the floating addresses so that the kernel's ECMP spreads it. With
 * {@code withLinkRoute} there is a second route straight between the two ends of worker 0's /30
 * link (addresses from site A's plan), which bypasses the floating address and the nexthop group:
 * the pair measures what the floating address costs. Tunnel CPU = every java process in a site's
 * namespace (the supervisor and its workers).
 */
final class BraidLab implements BenchLab {
    private static final Pattern PATH_DOWN = Pattern.compile("path \\d+ \\(\\S+\\) is down");

    private final SiteLab lab;
    private final List<Route> routes;
    private final SitePlan planA;

    private BraidLab(SiteLab lab, List<Route> routes, SitePlan planA) {
        this.lab = lab;
        this.routes = routes;
        this.planA = planA;
    }

    /** Builds the two sites, starts them and waits until every path carries traffic. */
    static BraidLab build(Path dir, int workers, boolean withLinkRoute) throws IOException {
        SiteLab lab = SiteLab.build(dir, SiteLab.Options.workers(workers));
        try {
            SitePlan planA = SitePlanner.forThisMachine().plan(SiteConfigLoader.load(lab.a.config));
            lab.startSupervisors();
            if (!lab.awaitSessions(Duration.ofSeconds(60))) {
                throw new IOException("Braid paths did not come up within 60 s (sessions: site A " + lab.sessions(lab.a)
                        + "/" + workers + ", site B " + lab.sessions(lab.b) + "/" + workers + ")\n--- site A log\n"
                        + SiteLab.tail(lab.a.log(), 15) + "\n--- site B log\n" + SiteLab.tail(lab.b.log(), 15));
            }
            List<Route> routes = new ArrayList<>();
            if (withLinkRoute) {
                WorkerPlan w0 = planA.workers().getFirst();
                routes.add(new Route("link", "braid-1 /30 link", lab.a.ns, w0.localLinkAddress().addressText(), lab.b.ns,
                        w0.peerLinkAddress().addressText()));
            }
            routes.add(new Route(withLinkRoute ? "floating" : "braid-" + workers,
                    withLinkRoute ? "braid-1 floating" : "braid-" + workers,
                    lab.a.ns, SiteLab.FLOATING_A, lab.b.ns, SiteLab.FLOATING_B));
            for (Route r : routes) {
                if (!r.client().waitForPing(r.serverAddress(), Duration.ofSeconds(15), "-I", r.clientAddress())) {
                    throw new IOException("Braid route " + r.clientAddress() + " -> " + r.serverAddress()
                            + " does not carry pings within 15 s");
                }
            }
            return new BraidLab(lab, routes, planA);
        } catch (ConfigException e) {
            lab.close();
            throw new IOException("the lab's site config does not plan: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    @Override
    public List<Route> routes() {
        return routes;
    }

    /**
     * Per site: the supervisor, and each worker as its own group ("a/worker-0", …), so the run can
     * charge each path with the CPU of its two workers (the scaling figure: CPU per GB per path).
     * Java processes of a site that are neither (none expected) go to "a/other".
     */
    @Override
    public Map<String, List<Long>> tunnelPids() {
        Map<String, List<Long>> pids = new LinkedHashMap<>();
        for (SiteLab.Site site : List.of(lab.a, lab.b)) {
            String tag = site == lab.a ? "a" : "b";
            List<Long> all = new java.util.ArrayList<>(BenchLab.pidsNamed(site.ns, "java"));
            long supervisor = site.supervisor() == null ? -1 : site.supervisor().pid();
            all.remove(Long.valueOf(supervisor));
            pids.put(tag + "/supervisor", supervisor < 0 ? List.of() : List.of(supervisor));
            for (int i = 0; i < lab.workers(); i++) {
                try (dev.braid.instance.counters.CountersFile c = dev.braid.instance.counters.CountersFile.open(site.countersFile(i))) {
                    pids.put(tag + "/" + WORKER_GROUP + i, List.of(c.pid()));
                    all.remove(Long.valueOf(c.pid()));
                } catch (java.io.IOException e) {
                    pids.put(tag + "/" + WORKER_GROUP + i, List.of());
                }
            }
            pids.put(tag + "/other", all);
        }
        return pids;
    }

    static final String WORKER_GROUP = "worker-";

    @Override
    public long[] pathBytes() {
        return lab.perWorker(lab.a, Counter.TX_BYTES);
    }

    @Override
    public ObjectNode setup() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("tunnel", "braid run, " + lab.workers() + " worker" + (lab.workers() == 1 ? "" : "s") + " per site");
        o.put("workers", lab.workers());
        o.put("mtu", planA.tunnelMtuBytes());
        o.put("floating", SiteLab.FLOATING_A + " -> " + SiteLab.FLOATING_B);
        var links = o.putArray("links_site_a");
        var cpus = o.putArray("worker_cpus");
        for (WorkerPlan w : planA.workers()) {
            links.add(w.localLinkAddress() + " -> " + w.peerLinkAddress().addressText());
            cpus.add(w.cpu());
        }
        planA.housekeepingCpu().ifPresentOrElse(c -> o.put("housekeeping_cpu", c), () -> o.putNull("housekeeping_cpu"));
        o.put("namespaces", lab.a.ns.name() + " " + lab.b.ns.name());
        return o;
    }

    @Override
    public Map<String, Long> troubleCounters() {
        Map<String, Long> all = new LinkedHashMap<>();
        for (SiteLab.Site site : List.of(lab.a, lab.b)) {
            String key = siteKey(site);
            all.putAll(TroubleCounters.kernel(site.ns, key));
            all.put(key + ".path_down_events", pathDownEvents(site));
            drops(site).forEach((counter, value) -> all.put(key + ".worker." + counter.metricLabel(), value));
        }
        return all;
    }

    private String siteKey(SiteLab.Site site) {
        return site == lab.a ? "a" : "b";
    }

    /** "path N (tun) is down" lines the site's supervisor logged so far. */
    private static long pathDownEvents(SiteLab.Site site) {
        try (var lines = Files.lines(site.log())) {
            return lines.filter(l -> PATH_DOWN.matcher(l).find()).count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** Every drop counter of the site summed over its workers. */
    private Map<Counter, Long> drops(SiteLab.Site site) {
        Map<Counter, Long> sums = new LinkedHashMap<>();
        for (Counter c : Counter.values()) {
            if (c.kind() == Counter.Kind.DROP) {
                long sum = 0;
                for (long v : lab.perWorker(site, c)) {
                    sum += v;
                }
                sums.put(c, sum);
            }
        }
        return sums;
    }

    @Override
    public void close() {
        lab.close();
    }
}
