package io.vmres.deploy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.runtime.CommandOutcomes;
import io.vmres.connector.runtime.ConnectorCounters;
import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.PrometheusText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every query of the Grafana dashboard names only metrics the job or a connector exports. */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("grafana", "vmres.json");
    private static final Pattern METRIC = Pattern.compile("\\b(?:flink|vmres)_[A-Za-z0-9_]+");

    @Test
    void everyPanelQueriesExportedMetrics() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> exported = new TreeSet<>(JobMetrics.ALL);
        exported.addAll(connectorMetrics());

        List<String> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            panels.add(title);
            assertThat(panel.path("targets")).as("targets of %s", title).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                List<String> named = names(expr);
                assertThat(named).as("metrics in %s: %s", title, expr).isNotEmpty();
                assertThat(exported).as("%s: %s", title, expr).containsAll(named);
            }
        }
        assertThat(panels).hasSizeGreaterThanOrEqualTo(6);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.has("query") && variable.path("type").asText().equals("query")) {
                assertThat(exported).containsAll(names(variable.path("query").asText()));
            }
        }
    }

    /** What a connector's /metrics names, one command answered so that every series shows. */
    private static Set<String> connectorMetrics() {
        CommandOutcomes outcomes = new CommandOutcomes();
        ConnectorCounters zero =
                new ConnectorCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        Set<String> names = new TreeSet<>();
        outcomes.answered("RESTART_VM", Outcome.Status.SUCCEEDED, 120);
        for (String line : PrometheusText.of(zero, outcomes).split("\n")) {
            if (!line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    private static List<String> names(String expr) {
        List<String> out = new ArrayList<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
