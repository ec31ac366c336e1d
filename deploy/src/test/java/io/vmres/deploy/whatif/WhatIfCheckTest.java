package io.vmres.deploy.whatif;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vmres.connector.sim.RecordingGenerator;
import io.vmres.deploy.cli.Cli;
import io.vmres.deploy.cli.WiredActions;
import io.vmres.engine.whatif.Failure;
import io.vmres.engine.whatif.WhatIfAnswer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code vmres whatif --check} on a fleet of a few hundred hosts, as on the 10,000 of the
 * acceptance run: the failures 100 s into a recording of two minutes, so that the replay needs the
 * rest of the fleet to beat on after the recording's end. The replay restarts every VM on the
 * predicted target, leaves as many unplaced and recovers within 5% of the predicted time.
 */
@Tag("slow")
class WhatIfCheckTest {
    @TempDir static Path dir;
    private static Path fleet;

    @BeforeAll
    static void generate() throws Exception {
        fleet = dir.resolve("fleet.jsonl");
        RecordingGenerator.write(
                fleet,
                new RecordingGenerator.Options(
                        400, 10, Duration.ofMinutes(2), 4, 0, 5, Duration.ofSeconds(5), false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rack:r05", "pd:pd07", "host:h012,host:h250,host:h377"})
    void theReplayOfTheFailureDoesWhatTheAnswerSaid(String asked) throws Exception {
        List<Failure> failures = List.of(asked.split(",")).stream().map(Failure::parse).toList();
        WhatIfAnswer answer = WhatIfQuestion.ask(fleet, null, 100_000L, failures).answer();
        assertThat(answer.unmatched()).isEmpty();
        assertThat(answer.vmsRestarted()).isPositive();
        // the predicted recovery ends after the recording: the fleet must beat on in the copy
        assertThat(FailureInjection.lastRecovery(answer))
                .isGreaterThan(answer.at() + 20_000 + 5_000);

        String name = asked.replace(':', '-').replace(',', '+');
        WhatIfCheck.Result r =
                WhatIfCheck.check(
                        fleet,
                        answer,
                        dir.resolve(name + ".jsonl"),
                        dir.resolve("replay-" + name),
                        0.05);

        assertThat(r.clusters()).hasSameSizeAs(answer.clusters());
        assertMatches(r);
    }

    /**
     * A power domain whose hosts go silent over three seconds (their heartbeat interval) is
     * declared in two rounds two seconds apart, the second of one host. Between them the engine's
     * planning looks (once a second of event time) and takes the first round's hosts, its targets
     * and the failed domains, and the plans they touch are made again: the last round takes the
     * host's plan as made then. The answer looks at the same instants, so it names the same
     * targets.
     */
    @Test
    void aHostDeclaredAfterALookTakesThePlanAsTheEngineMadeIt() throws Exception {
        Path dense = dir.resolve("dense.jsonl");
        RecordingGenerator.write(
                dense,
                new RecordingGenerator.Options(
                        800, 10, Duration.ofMinutes(2), 1, 0, 5, Duration.ofSeconds(3), false));
        WhatIfAnswer answer =
                WhatIfQuestion.ask(dense, null, 100_000L, List.of(Failure.parse("pd:pd26")))
                        .answer();
        assertThat(answer.clusters()).hasSize(1);
        List<WhatIfAnswer.Round> rounds = answer.clusters().get(0).rounds();
        assertThat(rounds).hasSizeGreaterThanOrEqualTo(2);
        WhatIfAnswer.Round last = rounds.get(rounds.size() - 1);
        WhatIfAnswer.Round before = rounds.get(rounds.size() - 2);
        assertThat(last.hosts()).hasSize(1);
        assertThat(last.prestaged()).as("the last round takes its host's plan").isTrue();
        assertThat(last.at() - before.at()).as("a look between the rounds").isGreaterThan(1_000);

        WhatIfCheck.Result r =
                WhatIfCheck.check(
                        dense, answer, dir.resolve("dense-pd26.jsonl"), dir.resolve("dense"), 0.05);
        assertMatches(r);
    }

    /** Every VM on the predicted target, as many unplaced, recovery within 5%, nothing else. */
    static void assertMatches(WhatIfCheck.Result r) {
        assertThat(r.others()).as("the replay's other incidents").isEmpty();
        for (WhatIfCheck.ClusterCheck c : r.clusters()) {
            assertThat(c.differs()).as("%s: VMs on other targets", c.cluster()).isEmpty();
            assertThat(c.replayRestarts()).isEqualTo(c.restarts()).isPositive();
            assertThat(c.replayUnplaced()).isEqualTo(c.unplaced());
            assertThat(c.replayRecoveryS())
                    .as("%s: the replay's recovery", c.cluster())
                    .isNotNull();
            assertThat(c.replayRecoveryS())
                    .as("%s: recovery against the predicted", c.cluster())
                    .isCloseTo(c.recoveryS(), within(c.recoveryS() * 0.05));
        }
        assertThat(r.matches()).isTrue();
    }

    @Test
    void commandLineChecksAndSaysMatch() {
        StringWriter out = new StringWriter();
        int code =
                vmres(
                        out,
                        "whatif",
                        fleet.toString(),
                        "--fail",
                        "rack:r05",
                        "--at",
                        "100s",
                        "--check");
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("predicted recovery: ")
                .contains("replayed in")
                .containsPattern("c[0-9]+ +[0-9]+/[0-9]+")
                .contains("MATCH: the same targets");
    }

    /** Runs the command line; what it prints, errors too, goes to {@code out}. */
    static int vmres(StringWriter out, String... args) {
        PrintWriter w = new PrintWriter(out, true);
        return new Cli(new WiredActions()).setOut(w).setErr(w).run(args);
    }

    private static WhatIfAnswer answer(double recoveryS) {
        return new WhatIfAnswer(
                0,
                List.of("host:h1"),
                List.of(),
                List.of(
                        new WhatIfAnswer.ClusterAnswer(
                                "c1",
                                List.of(
                                        new WhatIfAnswer.HostDown(
                                                "h1", "r01", "pd01", 0, 12_000, "power-off", 2, 0)),
                                List.of(),
                                List.of(),
                                List.of(),
                                List.of(
                                        new WhatIfAnswer.Restart(
                                                "vm1", "h1", "h2", 500, true, null, 12_000, 16_000),
                                        new WhatIfAnswer.Restart(
                                                "vm2", "h1", "h3", 500, true, null, 12_000,
                                                16_000)),
                                List.of(),
                                List.of(),
                                0L,
                                16_000L,
                                recoveryS,
                                1)),
                1);
    }

    private static Path replay(String name, String vm2Target, double recoveryS) throws Exception {
        Path out = Files.createDirectories(dir.resolve(name));
        Files.writeString(
                out.resolve("commands.jsonl"),
                "{\"action\":\"RESTART_VM\",\"host\":\"h1\",\"vm\":\"vm1\",\"target\":\"h2\"}\n"
                        + "{\"action\":\"RESTART_VM\",\"host\":\"h1\",\"vm\":\"vm2\",\"target\":\""
                        + vm2Target
                        + "\"}\n");
        Files.writeString(
                out.resolve("summary.json"),
                "{\"incidents\":[{\"incidentId\":\"inc-c1-0001\",\"kind\":\"HOST_FAILURE\","
                        + "\"hosts\":[\"h1\"],\"recoveryS\":"
                        + recoveryS
                        + ",\"vmsUnplaced\":0}]}");
        return out;
    }

    @Test
    void anotherTargetOrARecoveryBeyondTheToleranceIsAMismatch() throws Exception {
        WhatIfCheck.Result same =
                WhatIfCheck.compare(answer(16.0), replay("same", "h3", 16.7), 0.05, 0, 0);
        assertThat(same.clusters().get(0).sameTarget()).isEqualTo(2);
        assertThat(same.matches()).isTrue();

        WhatIfCheck.Result target =
                WhatIfCheck.compare(answer(16.0), replay("target", "h4", 16.0), 0.05, 0, 0);
        assertThat(target.clusters().get(0).differs())
                .containsExactly(new WhatIfCheck.Differs("vm2", "h3", "h4"));
        assertThat(target.matches()).isFalse();

        WhatIfCheck.Result slow =
                WhatIfCheck.compare(answer(16.0), replay("slow", "h3", 16.9), 0.05, 0, 0);
        assertThat(slow.clusters().get(0).recoveryWithin()).isFalse();
        assertThat(slow.matches()).isFalse();
        StringWriter out = new StringWriter();
        WhatIfCheck.print(slow, new PrintWriter(out, true));
        assertThat(out.toString()).contains("+5.6%").contains("MISMATCH");
    }
}
