package io.vmres.deploy.whatif;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.sim.RecordingGenerator;
import io.vmres.deploy.cli.Cli;
import io.vmres.deploy.cli.WiredActions;
import io.vmres.deploy.commands.Plan;
import io.vmres.engine.ClusterEngine;
import io.vmres.engine.state.EngineState;
import io.vmres.engine.state.StateOutput;
import io.vmres.engine.whatif.Failure;
import io.vmres.engine.whatif.WhatIfAnswer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What-if against what happens: a generated fleet is asked about a failure, the same failure is
 * written into the recording and replayed; the replay restarts the same VMs on the same targets and
 * recovers within 5% of the predicted time.
 */
class WhatIfReplayTest {
    @TempDir static Path dir;
    private static Path fleet;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void generate() throws Exception {
        fleet = dir.resolve("fleet.jsonl");
        RecordingGenerator.write(
                fleet,
                new RecordingGenerator.Options(
                        60, 10, Duration.ofMinutes(3), 1, 0, 11, Duration.ofSeconds(5), false));
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(List.of("host:h07"), 90_000L),
                Arguments.of(List.of("rack:r03"), 75_000L),
                Arguments.of(List.of("host:h12", "host:h45"), 100_000L),
                Arguments.of(List.of("pd:pd02"), 80_000L));
    }

    @ParameterizedTest(name = "{0} after {1} ms")
    @MethodSource("failures")
    void replayOfTheFailureDoesWhatTheAnswerSaid(List<String> asked, long since) throws Exception {
        WhatIfQuestion.Asked a =
                WhatIfQuestion.ask(fleet, null, since, asked.stream().map(Failure::parse).toList());
        WhatIfAnswer answer = a.answer();
        assertThat(answer.unmatched()).isEmpty();
        assertThat(answer.vmsRestarted()).isPositive();

        String name = String.join("+", asked).replace(':', '-');
        WhatIfCheck.Result r =
                WhatIfCheck.check(
                        fleet,
                        answer,
                        dir.resolve(name + ".jsonl"),
                        dir.resolve("out-" + name),
                        0.05);
        WhatIfCheckTest.assertMatches(r);
    }

    /**
     * A question works on copies: every engine's state is the same, byte for byte, after it, and
     * the same question asked again gets the same answer.
     */
    @Test
    void askingChangesNoEngine() throws Exception {
        Plan.Engines state = Plan.engines(fleet, null, 90_000L);
        Map<String, byte[]> before = engineBytes(state);
        List<Failure> failures = List.of(Failure.parse("pd:pd02"), Failure.parse("host:h07"));
        WhatIfAnswer first = WhatIfQuestion.ask(state, failures);
        assertThat(first.clusters().get(0).rounds()).hasSizeGreaterThanOrEqualTo(2);
        Map<String, byte[]> after = engineBytes(state);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((c, b) -> assertThat(after.get(c)).as("engine %s", c).isEqualTo(b));
        WhatIfAnswer second = WhatIfQuestion.ask(state, failures);
        assertThat(WhatIfQuestion.targets(second))
                .isNotEmpty()
                .isEqualTo(WhatIfQuestion.targets(first));
    }

    private static Map<String, byte[]> engineBytes(Plan.Engines state) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        for (Map.Entry<String, ClusterEngine> e : state.engines().entrySet()) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            e.getValue().write(StateOutput.start(new DataOutputStream(b), EngineState.VERSION));
            out.put(e.getKey(), b.toByteArray());
        }
        return out;
    }

    @Test
    void commandLineTellsTheAnswerAndWritesItsJson() throws Exception {
        StringWriter out = new StringWriter();
        Path json = dir.resolve("answer.json");
        int code =
                WhatIfCheckTest.vmres(
                        out,
                        "whatif",
                        fleet.toString(),
                        "--fail",
                        "host:h07",
                        "--fail",
                        "rack:nowhere",
                        "--at",
                        "90s",
                        "--json",
                        json.toString());
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("what if host:h07 and rack:nowhere fail")
                .contains("rack:nowhere names no registered host")
                .contains("predicted recovery: ")
                .containsPattern("answered in [0-9.]+ ms");
        JsonNode a = JSON.readTree(Files.readString(json, StandardCharsets.UTF_8));
        assertThat(a.get("unmatched")).hasSize(1);
        assertThat(a.get("clusters").get(0).get("hosts").get(0).get("host").asText())
                .isEqualTo("h07");
        assertThat(a.get("vmsRestarted").asInt())
                .isEqualTo(a.get("clusters").get(0).get("restarts").size());
    }

    @Test
    void aFailureOfNothingKnownIsAFailure() {
        StringWriter err = new StringWriter();
        int code =
                new Cli(new WiredActions())
                        .setOut(new PrintWriter(new StringWriter(), true))
                        .setErr(new PrintWriter(err, true))
                        .run("whatif", fleet.toString(), "--fail", "host:nope");
        assertThat(code).isEqualTo(Cli.FAILURE);
        int usage =
                new Cli(new WiredActions())
                        .setOut(new PrintWriter(new StringWriter(), true))
                        .setErr(new PrintWriter(err, true))
                        .run("whatif", fleet.toString(), "--fail", "switch:s1");
        assertThat(usage).isEqualTo(Cli.USAGE);
    }
}
