package io.vmres.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JMH's JSON results become the rows, table, figures and targets of {@code bench plan}. */
class PlanBenchTest {

    /** Two benchmarks as JMH 1.37 writes them with {@code -rf json}, trimmed. */
    private static final String JMH =
            """
            [
              {
                "benchmark" : "io.vmres.bench.PlanningBenchmark.rackReplan",
                "mode" : "sample",
                "primaryMetric" : {
                  "score" : 3.23,
                  "scoreUnit" : "ms/op",
                  "scorePercentiles" : { "0.0" : 2.5, "50.0" : 3.1, "90.0" : 4.0, "99.0" : 7.1 }
                }
              },
              {
                "benchmark" : "io.vmres.bench.PlanningBenchmark.fullPlan",
                "mode" : "sample",
                "primaryMetric" : {
                  "score" : 1.364,
                  "scoreUnit" : "s/op",
                  "scorePercentiles" : { "50.0" : 1.323, "99.0" : 2.041 }
                }
              },
              {
                "benchmark" : "io.vmres.bench.PlanningBenchmark.incrementalUpdate",
                "mode" : "sample",
                "primaryMetric" : {
                  "score" : 57.0,
                  "scoreUnit" : "us/op",
                  "scorePercentiles" : { "50.0" : 50.0, "99.0" : 120.0 }
                }
              }
            ]
            """;

    @Test
    void rowsAreInMillisecondsInTheDocsOrderWithTheirTargets() throws Exception {
        List<PlanBench.Row> rows = PlanBench.parse(JMH);
        assertThat(rows)
                .extracting(PlanBench.Row::benchmark)
                .containsExactly("fullPlan", "rackReplan", "incrementalUpdate");
        PlanBench.Row full = rows.get(0);
        assertThat(full.median()).isEqualTo(1323.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(full.mean()).isEqualTo(1364.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(full.p99()).isEqualTo(2041.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(full.met()).isFalse(); // 1,323 ms against at most 1 s
        assertThat(rows.get(1).met()).isTrue();
        assertThat(rows.get(2).median())
                .isEqualTo(0.05, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(rows.get(2).met()).isTrue();
    }

    @Test
    void theTableHasOneLinePerBenchmark() throws Exception {
        String table = PlanBench.table(PlanBench.parse(JMH));
        assertThat(table.lines().toList())
                .containsExactly(
                        "| Benchmark | Target | Median | Mean | p99 | Met |",
                        "|---|---|---|---|---|---|",
                        "| `fullPlan` | ≤ 1,000 ms | 1,323 ms | 1,364 ms | 2,041 ms | **no** |",
                        "| `rackReplan` | ≤ 50.00 ms | 3.10 ms | 3.23 ms | 7.10 ms | yes |",
                        "| `incrementalUpdate` | ≤ 1.00 ms | 0.050 ms | 0.057 ms | 0.120 ms | yes |");
    }

    @Test
    void filesFollowTheBenchContract(@TempDir Path dir) throws Exception {
        PlanBench.write(
                dir, PlanBench.parse(JMH), Map.of("cores", 2), "vmres bench plan", "-f 1 -wi 1");
        JsonNode doc = new ObjectMapper().readTree(dir.resolve("plan.json").toFile());
        assertThat(doc.path("rackReplanMedianMs").asDouble()).isEqualTo(3.1);
        assertThat(doc.path("command").asText()).isEqualTo("vmres bench plan");
        assertThat(doc.path("machine").path("cores").asInt()).isEqualTo(2);
        assertThat(doc.path("targets").path("fullPlanMedianMs").path("max").asDouble())
                .isEqualTo(1000.0);
        assertThat(doc.path("targets").path("fullPlanMedianMs").path("met").asBoolean()).isFalse();
        assertThat(doc.path("targets").path("rackReplanMedianMs").path("met").asBoolean()).isTrue();
        String md = Files.readString(dir.resolve("plan.md"), StandardCharsets.UTF_8);
        assertThat(md).startsWith("## plan\n").contains("(plan-times.svg)");
        String svg = Files.readString(dir.resolve("plan-times.svg"), StandardCharsets.UTF_8);
        assertThat(svg).startsWith("<svg").doesNotContain("<script").contains("fullPlan");
    }
}
