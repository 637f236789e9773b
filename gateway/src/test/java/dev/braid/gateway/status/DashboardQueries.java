package dev.braid.gateway.status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The PromQL of a Grafana dashboard as the tests need it: every panel target's expression (rows'
 * nested panels included), with Grafana's variables replaced by what Grafana would send to
 * Prometheus for a chosen site selection and scrape interval. Also finds the repository's files.
 */
final class DashboardQueries {
    /** One panel target: where it is in the dashboard and its expression as written there. */
    record Query(String panelTitle, String panelType, String refId, String expr) {
        String where() {
            return "'" + panelTitle + "' " + refId;
        }
    }

    private DashboardQueries() {
    }

    /** The repository root, found from the module directory Maven runs tests in. */
    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("configs/prometheus.yml"))) {
                return p;
            }
        }
        throw new IllegalStateException("configs/prometheus.yml not found above " + Path.of("").toAbsolutePath());
    }

    static Path dashboardFile() {
        return repositoryRoot().resolve("configs/grafana/braid.json");
    }

    static JsonNode read(Path dashboard) throws IOException {
        return new ObjectMapper().readTree(Files.readString(dashboard));
    }

    /** Every panel of the dashboard, the panels inside (collapsed) rows included, in order. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            out.add(panel);
            for (JsonNode nested : panel.path("panels")) {
                out.add(nested);
            }
        }
        return out;
    }

    static List<Query> queries(JsonNode dashboard) {
        List<Query> out = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr")) {
                    out.add(new Query(panel.path("title").asText(), panel.path("type").asText(),
                            target.path("refId").asText(), target.path("expr").asText()));
                }
            }
        }
        return out;
    }

    /**
     * The expression as Grafana sends it: {@code $site} becomes the sites as a regex alternation
     * (how Grafana formats a multi-value variable inside {@code =~}), and the interval variables
     * become fixed durations.
     */
    static String substitute(String expr, List<String> sites, String rateInterval, String interval, String range) {
        String siteRegex = String.join("|", sites);
        return expr.replace("${site}", siteRegex).replace("$site", siteRegex)
                .replace("$__rate_interval", rateInterval).replace("${__rate_interval}", rateInterval)
                .replace("$__interval", interval).replace("${__interval}", interval)
                .replace("$__range", range).replace("${__range}", range);
    }
}
