package dev.braid.gateway.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The dashboard's shape, without Prometheus: what makes it importable and provisionable (a
 * DS_PROMETHEUS input and data-source variable that every panel and query uses, the site variable),
 * that every query is filtered by $site, and that the panels the users asked for are there and
 * tile the 24-column grid without overlapping. PrometheusIntegrationTest runs the queries.
 */
class GrafanaDashboardTest {
    private static final String DATASOURCE_UID = "${DS_PROMETHEUS}";

    private final JsonNode dashboard;

    GrafanaDashboardTest() throws Exception {
        dashboard = DashboardQueries.read(DashboardQueries.dashboardFile());
    }

    @Test
    void declaresTheDatasourceInputAndTheSiteVariable() {
        JsonNode input = dashboard.path("__inputs").path(0);
        assertEquals("DS_PROMETHEUS", input.path("name").asText());
        assertEquals("prometheus", input.path("pluginId").asText());
        JsonNode datasourceVariable = variable("DS_PROMETHEUS");
        assertEquals("datasource", datasourceVariable.path("type").asText());
        assertEquals("prometheus", datasourceVariable.path("query").asText());
        JsonNode site = variable("site");
        assertEquals("query", site.path("type").asText());
        assertEquals("label_values(braid_site_info, site)", site.path("definition").asText());
        assertEquals("label_values(braid_site_info, site)", site.path("query").path("query").asText());
        assertEquals(DATASOURCE_UID, site.path("datasource").path("uid").asText());
        assertTrue(dashboard.path("schemaVersion").asInt() >= 36, "schema of Grafana 9.x or later");
        assertTrue(dashboard.path("id").isNull(), "an export for sharing has no database id");
        assertFalse(dashboard.path("uid").asText().isBlank());
    }

    @Test
    void everyQueryUsesTheSiteVariableAndTheDatasourceInput() {
        List<String> problems = new ArrayList<>();
        for (JsonNode panel : DashboardQueries.panels(dashboard)) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            String title = panel.path("title").asText();
            if (!DATASOURCE_UID.equals(panel.path("datasource").path("uid").asText())) {
                problems.add(title + ": panel data source is not " + DATASOURCE_UID);
            }
            if (panel.path("targets").isEmpty()) {
                problems.add(title + ": no queries");
            }
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                if (!expr.contains("site=~\"$site\"")) {
                    problems.add(title + " " + target.path("refId").asText() + ": not filtered by site=~\"$site\": " + expr);
                }
                if (!DATASOURCE_UID.equals(target.path("datasource").path("uid").asText())) {
                    problems.add(title + " " + target.path("refId").asText() + ": query data source is not " + DATASOURCE_UID);
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void hasThePanelsUsersWatch() {
        List<DashboardQueries.Query> queries = DashboardQueries.queries(dashboard);
        // what people check by hand today (zerotier-cli peers, ping, iperf3), one panel each
        assertPanel(queries, "Aggregate throughput", "timeseries", "braid_worker_transmit_bytes_total");
        assertPanel(queries, "Aggregate throughput", "timeseries", "braid_worker_receive_bytes_total");
        assertPanel(queries, "Per-path throughput sent (stacked)", "timeseries", "braid_worker_transmit_bytes_total");
        assertPanel(queries, "Share of sent traffic per path", "timeseries", "group_left");
        assertPanel(queries, "Path up/down", "state-timeline", "braid_path_up");
        assertPanel(queries, "Handshake age", "timeseries", "braid_worker_handshake_age_seconds");
        assertPanel(queries, "Drops by reason", "timeseries", "braid_worker_drops_total");
        assertPanel(queries, "Worker CPU (% of one core)", "timeseries", "rate(braid_worker_cpu_seconds_total");
        assertPanel(queries, "Worker restarts", "timeseries", "braid_worker_restarts_total");
        assertPanel(queries, "Nexthop group members vs configured paths", "timeseries", "braid_nexthop_group_members");
        assertPanel(queries, "Nexthop group members vs configured paths", "timeseries", "braid_paths_configured");
        JsonNode stacked = panel("Per-path throughput sent (stacked)");
        assertEquals("normal", stacked.path("fieldConfig").path("defaults").path("custom").path("stacking").path("mode").asText());
    }

    @Test
    void panelsTileTheGridWithoutOverlapping() {
        Set<Integer> ids = new HashSet<>();
        Set<String> cells = new HashSet<>();
        for (JsonNode panel : DashboardQueries.panels(dashboard)) {
            String title = panel.path("title").asText();
            assertTrue(ids.add(panel.path("id").asInt()), "panel id used twice: " + title);
            JsonNode grid = panel.path("gridPos");
            int x = grid.path("x").asInt(-1);
            int y = grid.path("y").asInt(-1);
            int w = grid.path("w").asInt(0);
            int h = grid.path("h").asInt(0);
            assertTrue(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, title + ": gridPos " + grid);
            for (int row = y; row < y + h; row++) {
                for (int col = x; col < x + w; col++) {
                    assertTrue(cells.add(row + ":" + col), title + " overlaps another panel at row " + row + ", column " + col);
                }
            }
        }
    }

    private JsonNode variable(String name) {
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no template variable " + name);
    }

    private JsonNode panel(String title) {
        return DashboardQueries.panels(dashboard).stream().filter(p -> p.path("title").asText().equals(title)).findFirst()
                .orElseThrow(() -> new AssertionError("no panel titled " + title));
    }

    private static void assertPanel(List<DashboardQueries.Query> queries, String title, String type, String exprPart) {
        assertTrue(queries.stream().anyMatch(q -> q.panelTitle().equals(title) && q.panelType().equals(type)
                && q.expr().contains(exprPart)), "a " + type + " panel '" + title + "' with a query using " + exprPart);
    }
}
