package io.vmres.deploy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay for the dashboard: the page's recovery times are {@code summary.json}'s, its power
 * domains what the readings proved, and its badge says when the replay is over.
 */
class PacedReplayTest {
    @TempDir Path dir;

    @SuppressWarnings("unchecked")
    private static <T> T get(Map<String, Object> m, String key) {
        return (T) m.get(key);
    }

    @Test
    void thePagesRecoveryTimesAreThoseOfTheSummaryPartialIncidentsIncluded() throws Exception {
        DashboardModel model = new DashboardModel(Settings.DEFAULTS);
        Path out = dir.resolve("out");
        new PacedReplay(model, Double.POSITIVE_INFINITY)
                .run(PowerRecording.write(dir), out, Map.of());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        Map<String, Object> page = model.since(0);
        Map<String, Map<String, Object>> shown = new HashMap<>();
        for (Map<String, Object> i :
                PacedReplayTest.<List<Map<String, Object>>>get(page, "incidents")) {
            shown.put((String) i.get("id"), i);
        }
        int partial = 0;
        for (JsonNode inc : summary.get("incidents")) {
            Map<String, Object> i = shown.get(inc.get("incidentId").asText());
            assertThat(i.get("state")).isEqualTo(inc.get("state").asText());
            JsonNode r = inc.get("recoveryS");
            Double expected = r == null || r.isNull() ? null : r.asDouble();
            assertThat(i.get("recoverySeconds")).as(inc.toString()).isEqualTo(expected);
            if (inc.get("state").asText().equals("PARTIAL")) {
                partial++;
                // to the last VM recovered (102 s), not to the line that ended it
                assertThat(expected).isEqualTo(42.0);
            }
        }
        assertThat(partial).isEqualTo(1);
        assertThat(PacedReplayTest.<List<Double>>get(page, "recoveryTimes")).contains(42.0);
        assertThat(model.status().state()).isEqualTo("replay-ended");
    }

    @Test
    void powerDomainsShowTheirLatestReadingAndWhatItProved() throws Exception {
        DashboardModel model = new DashboardModel(Settings.DEFAULTS);
        new PacedReplay(model, Double.POSITIVE_INFINITY)
                .run(PowerRecording.write(dir), dir.resolve("out"), Map.of());
        Map<String, Object> power = get(model.since(0), "powerDomains");
        Map<String, Map<String, Object>> byName = new HashMap<>();
        for (Map<String, Object> d :
                PacedReplayTest.<List<Map<String, Object>>>get(power, "domains")) {
            byName.put((String) d.get("powerDomain"), d);
        }
        assertThat(byName.keySet())
                .containsExactlyInAnyOrder("pd1", "pd2", "pd3", "pd4", "pd5", "pd6");
        assertThat(byName.get("pd1")).containsEntry("state", "off").containsEntry("hosts", 2);
        assertThat(byName.get("pd1").get("ts")).isEqualTo(Records.at(62).toEpochMilli());
        assertThat(byName.get("pd4")).containsEntry("state", "unknown");
        assertThat(byName.get("pd3")).containsEntry("state", "on");
        List<Map<String, Object>> provedOff = get(byName.get("pd1"), "provedOff");
        assertThat(provedOff).extracting(p -> p.get("host")).containsExactly("h1", "h2");
        assertThat(provedOff).extracting(p -> p.get("kind")).containsOnly("HOST_FAILURE");
        List<Map<String, Object>> confirmed = get(byName.get("pd2"), "confirmed");
        assertThat(confirmed).extracting(p -> p.get("host")).containsExactly("h3");
        assertThat(confirmed).extracting(p -> p.get("kind")).containsOnly("NEEDS_CONFIRMATION");
        assertThat(PacedReplayTest.<List<?>>get(byName.get("pd3"), "provedOff")).isEmpty();
        // g1 left the outage of c2 when pd5 read off: the outage ended
        List<Map<String, Object>> ended = get(byName.get("pd5"), "outagesLeft");
        assertThat(ended)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.get("host")).isEqualTo("g1");
                            assertThat(p.get("kind")).isEqualTo("TELEMETRY_OUTAGE");
                            assertThat(p.get("state")).isEqualTo("CLOSED");
                        });
    }
}
