package dev.braid.gateway.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.braid.ecmp.lab.Await;
import dev.braid.ecmp.lab.Command;
import dev.braid.ecmp.lab.Iperf3;
import dev.braid.ecmp.lab.Netns;
import dev.braid.gateway.lab.SiteLab;

/**
 * The observability files against a real Prometheus (Debian's `prometheus` 2.42): two lab sites ×
 * 2 workers with their metrics on 0.0.0.0:9586, a Prometheus inside site A's namespace scraping A
 * on loopback and B over the underlay every second, with configs/prometheus.yml's job and label
 * setup and configs/braid-alerts.yml loaded. While iperf3 pushes traffic A → B and junk datagrams
 * hit both sites' worker ports (so drops occur), Prometheus records; then every query of
 * configs/grafana/braid.json must return series for both sites, a few must have the right values,
 * every rule must evaluate without error and nothing may fire. promtool checks the exposition, the
 * rule file (and its unit tests) and the scrape config.
 */
@Tag("netns")
class PrometheusIntegrationTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final int IPERF_SECONDS = 8;

    @TempDir
    Path dir;

    @BeforeAll
    static void prometheusIsInstalled() {
        PrometheusServer.requireTools("prometheus", "promtool", "curl", "iperf3");
    }

    @Test
    void configFilesPassPromtool() {
        Path configs = DashboardQueries.repositoryRoot().resolve("configs");
        // check config resolves rule_files relative to the config: it checks braid-alerts.yml too
        assertPromtool("check", "config", configs.resolve("prometheus.yml").toString());
        assertPromtool("check", "rules", configs.resolve("braid-alerts.yml").toString());
        // the alerts' unit tests: synthetic series in, expected alerts and their texts out
        assertPromtool("test", "rules", configs.resolve("braid-alerts.test.yml").toString());
    }

    @Test
    void everyDashboardQueryReturnsDataFromARealPrometheus() throws Exception {
        long began = System.nanoTime();
        SiteLab.Options options = SiteLab.Options.workers(2).withConfig("metrics:", "  listen: 0.0.0.0:9586");
        try (SiteLab lab = SiteLab.build(dir.resolve("lab"), options)) {
            lab.startSupervisors();
            assertTrue(lab.awaitSessions(Duration.ofSeconds(60)), () -> "paths up\n" + logs(lab));
            Netns ns = lab.a.ns; // Prometheus and curl run here: A's metrics on loopback, B's over the underlay
            String targetA = "127.0.0.1:9586";
            String targetB = SiteLab.UNDERLAY_B + ":9586";
            assertTrue(Await.until(Duration.ofSeconds(20), () -> served(ns, targetA) && served(ns, targetB)),
                    () -> "both supervisors serve /metrics\n" + logs(lab));

            Set<String> families = checkExposition(ns, targetA);
            checkOpenMetrics(ns, targetB);
            checkEveryFamilyIsDocumented(families);
            checkRulesUseExportedMetrics(families);

            Path config = prometheusConfig(Map.of(targetA, lab.a.name, targetB, lab.b.name));
            assertPromtool("check", "config", config.toString());
            try (PrometheusServer prometheus = PrometheusServer.start(ns, config, dir)) {
                awaitScrapes(prometheus, 3);
                checkTargetsScrapeCleanly(prometheus);

                // traffic A -> B, and junk datagrams at both sites' worker 0 so that drops are counted
                Iperf3.server(lab.b.ns, SiteLab.FLOATING_B, 5201, dir.resolve("iperf3-server.log"));
                List<Process> junk = List.of(junkSender(ns, SiteLab.UNDERLAY_B), junkSender(lab.b.ns, SiteLab.UNDERLAY_A));
                String report = Iperf3.tcpClient(ns, SiteLab.FLOATING_B, 5201, IPERF_SECONDS, 8, false, SiteLab.FLOATING_A);
                double trafficEnd = epochSeconds();
                junk.forEach(Process::destroy);
                double evaluateAt = trafficEnd - 2; // inside the traffic, with a 5 s rate window
                double received = new ObjectMapper().readTree(report).path("end").path("sum_received").path("bits_per_second").asDouble();
                System.out.printf("iperf3: %.1f Mbit/s A -> B over %d s%n", received / 1e6, IPERF_SECONDS);
                Netns.sleep(3000); // Prometheus has scraped past the evaluation time

                List<String> sites = List.of(lab.a.name, lab.b.name);
                checkSiteVariable(prometheus, sites);
                Map<String, JsonNode> results = runDashboardQueries(prometheus, sites, evaluateAt);
                checkValues(results, lab);
                checkRules(prometheus);
            }
        } finally {
            System.out.printf("PrometheusIntegrationTest: %.1f s%n", (System.nanoTime() - began) / 1e9);
        }
    }

    // ---------------------------------------------------------------- the exposition

    /** Text format: served as such, passes `promtool check metrics`; returns its metric families. */
    private Set<String> checkExposition(Netns ns, String target) throws IOException {
        Command.Result r = ns.tryRun(Duration.ofSeconds(15), List.of("curl", "-sS", "--max-time", "10", "-D",
                dir.resolve("text.headers").toString(), "http://" + target + "/metrics"));
        assertTrue(r.ok(), () -> "GET /metrics: " + r.stderr());
        String headers = Files.readString(dir.resolve("text.headers")).toLowerCase(java.util.Locale.ROOT);
        assertTrue(headers.contains("content-type: text/plain; version=0.0.4"), headers);
        Path exposition = dir.resolve("metrics.txt");
        Files.writeString(exposition, r.stdout());
        Command.Result lint = Command.run(Duration.ofSeconds(30), List.of("sh", "-c", "promtool check metrics < " + exposition));
        assertTrue(lint.ok(), () -> "promtool check metrics:\n" + lint.stdout() + lint.stderr());
        Set<String> families = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (\\S+) \\S+$").matcher(r.stdout());
        while (m.find()) {
            families.add(m.group(1));
        }
        for (String expected : List.of("braid_site_info", "braid_path_up", "braid_worker_drops_total",
                "braid_worker_cpu_seconds_total", "process_cpu_seconds_total")) {
            assertTrue(families.contains(expected), expected + " in " + families);
        }
        return families;
    }

    /** OpenMetrics on request (what Prometheus asks for first): its content type, types and # EOF. */
    private void checkOpenMetrics(Netns ns, String target) throws IOException {
        Path headersFile = dir.resolve("openmetrics.headers");
        Command.Result r = ns.tryRun(Duration.ofSeconds(15), List.of("curl", "-sS", "--max-time", "10", "-D",
                headersFile.toString(), "-H", "Accept: " + OPENMETRICS, "http://" + target + "/metrics"));
        assertTrue(r.ok(), () -> "GET /metrics as OpenMetrics: " + r.stderr());
        String headers = Files.readString(headersFile).toLowerCase(java.util.Locale.ROOT);
        assertTrue(headers.contains("content-type: application/openmetrics-text; version=1.0.0"), headers);
        assertTrue(r.stdout().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
        assertTrue(r.stdout().contains("# TYPE braid_site info"), "info type in OpenMetrics");
        assertTrue(r.stdout().contains("# UNIT braid_worker_handshake_age_seconds seconds"), "units in OpenMetrics");
        Files.writeString(dir.resolve("metrics.openmetrics"), r.stdout());
    }

    private static void checkEveryFamilyIsDocumented(Set<String> families) throws IOException {
        String doc = Files.readString(DashboardQueries.repositoryRoot().resolve("docs/metrics.md"));
        List<String> missing = families.stream().filter(f -> !doc.contains("`" + f + "`")).toList();
        assertTrue(missing.isEmpty(), "exported but not in docs/metrics.md: " + missing);
    }

    /** Every braid_* name in the rule file is a metric the supervisor exports (typos never fire). */
    private static void checkRulesUseExportedMetrics(Set<String> families) throws IOException {
        String rules = Files.readString(DashboardQueries.repositoryRoot().resolve("configs/braid-alerts.yml"));
        Matcher m = Pattern.compile("(?<![:\\w])(braid_[a-z_]+)").matcher(rules);
        Set<String> unknown = new TreeSet<>();
        while (m.find()) {
            if (!families.contains(m.group(1))) {
                unknown.add(m.group(1));
            }
        }
        assertTrue(unknown.isEmpty(), "braid-alerts.yml uses metrics the supervisor does not export: " + unknown);
    }

    private static boolean served(Netns ns, String target) {
        return ns.tryRun(Duration.ofSeconds(10), List.of("curl", "-sS", "--fail", "--max-time", "5", "-o", "/dev/null",
                "http://" + target + "/metrics")).ok();
    }

    // ---------------------------------------------------------------- Prometheus

    /**
     * configs/prometheus.yml with the lab's targets and a 1 s scrape and evaluation interval; the
     * job name, honor_labels and the site target labels are the shipped file's, so the dashboard's
     * job="braid" and site selectors are tested as users will run them.
     */
    private Path prometheusConfig(Map<String, String> siteByTarget) throws IOException {
        Path configs = DashboardQueries.repositoryRoot().resolve("configs");
        ObjectNode config = (ObjectNode) YAML.readTree(configs.resolve("prometheus.yml").toFile());
        ObjectNode global = (ObjectNode) config.path("global");
        global.put("scrape_interval", "1s").put("scrape_timeout", "1s").put("evaluation_interval", "1s");
        Path rules = dir.resolve("braid-alerts.yml");
        Files.copy(configs.resolve("braid-alerts.yml"), rules);
        config.putArray("rule_files").add(rules.toString());
        ObjectNode job = (ObjectNode) config.path("scrape_configs").path(0);
        assertEquals("braid", job.path("job_name").asText());
        assertTrue(job.path("honor_labels").asBoolean(), "the shipped config keeps the supervisor's site label");
        ArrayNode targets = job.putArray("static_configs");
        siteByTarget.forEach((target, site) -> {
            ObjectNode entry = targets.addObject();
            entry.putArray("targets").add(target);
            entry.putObject("labels").put("site", site);
        });
        Path out = dir.resolve("prometheus.yml");
        YAML.writeValue(out.toFile(), config);
        return out;
    }

    /** Waits (bounded) until Prometheus holds at least {@code scrapes} samples of each target. */
    private static void awaitScrapes(PrometheusServer prometheus, int scrapes) throws IOException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < end) {
            last = prometheus.query("count_over_time(up{job=\"braid\"}[1m]) >= " + scrapes, epochSeconds());
            if (last.path("data").path("result").size() == 2) {
                return;
            }
            Netns.sleep(250);
        }
        fail("Prometheus did not scrape both sites " + scrapes + " times within 30 s: " + last + "\n" + prometheus.logTail());
    }

    /** Both targets up with no scrape error: the OpenMetrics Prometheus asked for parsed cleanly. */
    private static void checkTargetsScrapeCleanly(PrometheusServer prometheus) throws IOException {
        JsonNode active = prometheus.api("targets", "state=active").path("data").path("activeTargets");
        assertEquals(2, active.size(), active::toString);
        for (JsonNode t : active) {
            assertEquals("up", t.path("health").asText(), t::toString);
            assertEquals("", t.path("lastError").asText(), t::toString);
        }
    }

    /** The dashboard's $site variable: label_values(braid_site_info, site) lists both sites. */
    private static void checkSiteVariable(PrometheusServer prometheus, List<String> sites) throws IOException {
        JsonNode values = prometheus.api("label/site/values", "match[]=braid_site_info").path("data");
        Set<String> found = new TreeSet<>();
        values.forEach(v -> found.add(v.asText()));
        assertEquals(new TreeSet<>(sites), found, "label_values(braid_site_info, site)");
    }

    /**
     * Runs every panel query as Grafana would (both sites selected, $__rate_interval = 5 s for a
     * 1 s scrape); each must succeed and return series for both sites. Returns the results by
     * "'panel title' refId".
     */
    private static Map<String, JsonNode> runDashboardQueries(PrometheusServer prometheus, List<String> sites, double at)
            throws IOException {
        List<DashboardQueries.Query> queries = DashboardQueries.queries(DashboardQueries.read(DashboardQueries.dashboardFile()));
        assertTrue(queries.size() >= 15, "the dashboard's queries: " + queries.size());
        Map<String, JsonNode> results = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (DashboardQueries.Query q : queries) {
            String expr = DashboardQueries.substitute(q.expr(), sites, "5s", "1s", "1m");
            if (expr.contains("$")) {
                problems.add(q.where() + ": a Grafana variable the test does not know: " + expr);
                continue;
            }
            JsonNode answer = prometheus.query(expr, at);
            JsonNode result = answer.path("data").path("result");
            Set<String> seen = new TreeSet<>();
            result.forEach(series -> seen.add(series.path("metric").path("site").asText()));
            System.out.printf("  %-58s %2d series, e.g. %s%n    %s%n", q.where(), result.size(),
                    result.isEmpty() ? "-" : result.get(0).path("value").get(1).asText(), expr);
            if (!"success".equals(answer.path("status").asText())) {
                problems.add(q.where() + ": " + answer.path("errorType").asText() + " " + answer.path("error").asText()
                        + "\n    " + expr);
            } else if (result.isEmpty()) {
                problems.add(q.where() + ": no data\n    " + expr);
            } else if (!seen.containsAll(sites)) {
                problems.add(q.where() + ": series for sites " + seen + ", expected " + sites + "\n    " + expr);
            }
            results.put(q.where(), result);
        }
        assertTrue(problems.isEmpty(), () -> problems.size() + " of " + queries.size() + " dashboard queries failed:\n"
                + String.join("\n", problems));
        return results;
    }

    /** A few panels whose right answer the lab knows. */
    private static void checkValues(Map<String, JsonNode> results, SiteLab lab) {
        for (JsonNode s : results.get("'Paths up' A")) {
            assertEquals(2.0, value(s), 0.0, "paths up of " + s.path("metric"));
        }
        for (JsonNode s : results.get("'Nexthop group members vs configured paths' A")) {
            assertEquals(2.0, value(s), 0.0, "group members of " + s.path("metric"));
        }
        for (JsonNode s : results.get("'Path up/down' A")) {
            assertEquals(1.0, value(s), 0.0, "path up " + s.path("metric"));
        }
        double sentA = 0;
        for (JsonNode s : results.get("'Aggregate throughput' A")) {
            if (s.path("metric").path("site").asText().equals(lab.a.name)) {
                sentA = value(s);
            }
        }
        assertTrue(sentA > 1e6, "site A sent over 1 Mbit/s while iperf3 ran: " + sentA);
        Map<String, Double> shareSum = new LinkedHashMap<>();
        for (JsonNode s : results.get("'Share of sent traffic per path' A")) {
            shareSum.merge(s.path("metric").path("site").asText(), value(s), Double::sum);
        }
        assertEquals(100.0, shareSum.get(lab.a.name), 0.5, "site A's path shares add up to 100 %: " + shareSum);
        Set<String> reasons = new TreeSet<>();
        results.get("'Drops by reason' A").forEach(s -> reasons.add(s.path("metric").path("reason").asText()));
        assertTrue(reasons.contains("bad_length") || reasons.contains("bad_type"), "junk datagrams counted: " + reasons);
        for (JsonNode s : results.get("'Handshake age' A")) {
            assertTrue(value(s) >= 0 && value(s) < 180, "fresh handshake " + s);
        }
    }

    /** Every rule of braid-alerts.yml was evaluated without error, and nothing fires on a healthy lab. */
    private static void checkRules(PrometheusServer prometheus) throws IOException {
        JsonNode groups = prometheus.api("rules").path("data").path("groups");
        int rules = 0;
        List<String> problems = new ArrayList<>();
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                rules++;
                if (!"ok".equals(rule.path("health").asText())) {
                    problems.add(rule.path("name").asText() + ": " + rule.path("health").asText() + " " + rule.path("lastError").asText());
                }
                if ("firing".equals(rule.path("state").asText())) {
                    problems.add(rule.path("name").asText() + " fires on a healthy lab: " + rule.path("alerts"));
                }
            }
        }
        assertEquals(14, rules, "rules loaded from braid-alerts.yml: " + groups);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    // ---------------------------------------------------------------- helpers

    /** One-byte datagrams at a worker port, ten a second for a bounded time: counted as drops there. */
    private Process junkSender(Netns ns, String address) throws IOException {
        String loop = "for i in $(seq 1 " + (IPERF_SECONDS + 4) * 10 + "); do printf x > /dev/udp/" + address + "/"
                + SiteLab.BASE_PORT + "; sleep 0.1; done";
        return ns.start(List.of("bash", "-c", loop), dir.resolve("junk-" + address + ".log"));
    }

    private static void assertPromtool(String... args) {
        List<String> cmd = new ArrayList<>(List.of("promtool"));
        cmd.addAll(List.of(args));
        Command.Result r = Command.run(Duration.ofSeconds(60), cmd);
        assertTrue(r.ok(), () -> String.join(" ", cmd) + " failed:\n" + r.stdout() + r.stderr());
    }

    private static double value(JsonNode series) {
        return Double.parseDouble(series.path("value").get(1).asText());
    }

    private static double epochSeconds() {
        return System.currentTimeMillis() / 1000.0;
    }

    private static String logs(SiteLab lab) {
        return "--- site A\n" + SiteLab.tail(lab.a.log(), 30) + "\n--- site B\n" + SiteLab.tail(lab.b.log(), 30);
    }
}
