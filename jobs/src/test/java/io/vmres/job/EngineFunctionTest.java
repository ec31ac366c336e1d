package io.vmres.job;

import static io.vmres.job.EngineOperatorFixture.T0;
import static io.vmres.job.EngineOperatorFixture.lines;
import static io.vmres.job.EngineOperatorFixture.send;
import static io.vmres.job.EngineOperatorFixture.vm1;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.Settings;
import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.DeadLetterOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.ResultOut;
import java.io.Serializable;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The engine operator: input held until the watermark, handed over in time order, ends told. */
// Flink's test utilities declare close() throws Exception
@SuppressWarnings("try")
class EngineFunctionTest {
    private long seq;

    private KeyedOneInputStreamOperatorTestHarness<String, Routed, Emitted> harness(
            ClusterEngine.Hypervisor mode, boolean emitFinal) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new EngineFunction(Settings.DEFAULTS, mode, emitFinal),
                Routed::cluster,
                Types.STRING);
    }

    /** The live job's engine operator: results of unknown clusters are dead letters. */
    private KeyedOneInputStreamOperatorTestHarness<String, Routed, Emitted> live(
            boolean resultsOnArrival) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new EngineFunction(
                        Settings.DEFAULTS,
                        ClusterEngine.Hypervisor.EXTERNAL,
                        false,
                        false,
                        null,
                        true,
                        resultsOnArrival),
                Routed::cluster,
                Types.STRING);
    }

    private HostEvent host(String name) {
        return EngineOperatorFixture.host(seq++, name);
    }

    private Heartbeat beat(String host, long at) {
        return new Heartbeat(at, seq++, host, "mgmt");
    }

    /** Three hosts beat every second; h1 stops after T0 + 5 s; its power reads off. */
    private void fleet(
            KeyedOneInputStreamOperatorTestHarness<String, Routed, Emitted> h, long until)
            throws Exception {
        for (String name : List.of("h1", "h2", "h3")) {
            send(h, host(name));
        }
        send(h, vm1(seq++));
        for (long s = 1; s * 1000 <= until; s++) {
            for (String name : List.of("h1", "h2", "h3")) {
                if (!name.equals("h1") || s <= 5) {
                    send(h, beat(name, T0 + s * 1000));
                }
            }
        }
        send(h, new Power(T0 + 6_000, seq++, "h1", "off"));
    }

    @Test
    void silentHostIsDeclaredOnlyWhenTheWatermarkPassesItsDecisionTime() throws Exception {
        try (var h = harness(ClusterEngine.Hypervisor.SIMULATED, false)) {
            fleet(h, 30_000);
            // last beat T0+5 s: lost at T0+15 s, decided at T0+17 s
            h.processWatermark(T0 + 16_999);
            assertThat(lines(h, IncidentOut.class)).isEmpty();
            h.processWatermark(T0 + 17_000);
            assertThat(lines(h, IncidentOut.class))
                    .first()
                    .satisfies(
                            i -> {
                                assertThat(i.kind()).isEqualTo("HOST_FAILURE");
                                assertThat(i.hosts()).containsExactly("h1");
                                assertThat(i.ts()).isEqualTo(T0 + 17_000);
                            });
            // power reads off: known down, so its VM's disks are mapped at once, no fence
            assertThat(lines(h, CommandOut.class))
                    .extracting(CommandOut::action)
                    .containsExactly("MAP_DISKS");
        }
    }

    @Test
    void eventsBehindInLineOrderAreStillAppliedInTimeOrder() throws Exception {
        try (var h = harness(ClusterEngine.Hypervisor.SIMULATED, false)) {
            fleet(h, 30_000);
            // a beat of h1 at T0+9 s arrives late in arrival order but ahead of the watermark: the
            // host was alive then, so it is lost only at T0+19 s and decided at T0+21 s
            h.processWatermark(T0 + 8_000);
            send(h, beat("h1", T0 + 9_000));
            h.processWatermark(T0 + 20_999);
            assertThat(lines(h, IncidentOut.class)).isEmpty();
            h.processWatermark(T0 + 21_000);
            assertThat(lines(h, IncidentOut.class))
                    .extracting(IncidentOut::ts)
                    .first()
                    .isEqualTo(T0 + 21_000);
        }
    }

    @Test
    void liveTelemetryBehindTheWatermarkIsDeadLetteredButInventoryIsApplied() throws Exception {
        try (var h = harness(ClusterEngine.Hypervisor.EXTERNAL, false)) {
            fleet(h, 3_000);
            h.processWatermark(T0 + 4_000);
            send(h, beat("h2", T0 + 3_500)); // behind the watermark
            send(
                    h,
                    new VmEvent(
                            T0 + 3_600,
                            seq++,
                            "vm2",
                            "h1",
                            2,
                            4096,
                            500,
                            true,
                            null,
                            "sd",
                            List.of("d2"),
                            List.of()));
            assertThat(lines(h, DeadLetterOut.class))
                    .singleElement()
                    .satisfies(d -> assertThat(d.reason()).contains("late"));
            assertThat(lines(h, AlertOut.class))
                    .extracting(AlertOut::kind)
                    .containsExactly("LATE_EVENT");
            // the VM record was kept: when h1 fails later, both of its VMs are owed
            for (long s = 4; s <= 30; s++) {
                send(h, beat("h2", T0 + s * 1000));
                send(h, beat("h3", T0 + s * 1000));
            }
            h.processWatermark(T0 + 30_000);
            assertThat(lines(h, CommandOut.class))
                    .filteredOn(c -> c.action().equals("MAP_DISKS"))
                    .flatExtracting(CommandOut::vms)
                    .containsExactlyInAnyOrder("vm1", "vm2");
        }
    }

    @Test
    void aClusterSeenLaterTakesEarlierEventsButARunningOneDoesNot() throws Exception {
        try (var h = harness(ClusterEngine.Hypervisor.SIMULATED, false)) {
            send(h, host("h1"));
            h.processWatermark(T0 + 30_000); // c1's engine has run
            SimFault fault = new SimFault(T0 + 1_000, seq++, "RESTART_VM", 1, null, null, null);
            // c2 is first seen now: the sim-fault from before it counts, far behind the watermark
            h.processElement(Routed.earlier("c2", fault), fault.ts());
            HostEvent h2 =
                    new HostEvent(
                            T0 + 31_000,
                            seq++,
                            "h2",
                            "c2",
                            64,
                            262_144,
                            "r",
                            "pd",
                            "kvm",
                            List.of("sd"),
                            false,
                            true);
            h.processElement(Routed.of("c2", h2), h2.ts());
            h.processWatermark(T0 + 32_000);
            assertThat(lines(h, DeadLetterOut.class)).isEmpty();
            // c1 ran past it already: the same event is late there
            h.processElement(Routed.earlier("c1", fault), fault.ts());
            assertThat(lines(h, DeadLetterOut.class))
                    .singleElement()
                    .satisfies(d -> assertThat(d.reason()).contains("late"));
        }
    }

    @Test
    void silenceAfterTheEndOfInputIsNoFailureAndTheFinalEngineIsSentOnce() throws Exception {
        try (var h = harness(ClusterEngine.Hypervisor.SIMULATED, true)) {
            for (String name : List.of("h1", "h2", "h3")) {
                send(h, host(name));
            }
            for (long s = 1; s <= 5; s++) {
                for (String name : List.of("h1", "h2", "h3")) {
                    send(h, beat(name, T0 + s * 1000));
                }
            }
            h.processElement(Routed.end("c1", T0 + 5_000), T0 + 5_000);
            h.processWatermark(Long.MAX_VALUE);
            assertThat(lines(h, IncidentOut.class)).isEmpty();
            List<Serializable> finals =
                    h.extractOutputValues().stream()
                            .map(Emitted::line)
                            .filter(l -> l instanceof ClusterEngine)
                            .toList();
            assertThat(finals).hasSize(1);
        }
    }

    @Test
    void aConnectorsResultIsAppliedButNotWrittenBackWhileTheEnginesOwnTimeoutIs() throws Exception {
        try (var h = harness(ClusterEngine.Hypervisor.EXTERNAL, false)) {
            fleet(h, 400_000);
            h.processWatermark(T0 + 17_000);
            CommandOut map = lines(h, CommandOut.class).get(0);
            assertThat(map.action()).isEqualTo("MAP_DISKS");
            send(h, new CommandResultEvent(T0 + 18_000, seq++, map.commandId(), "SUCCEEDED", "ok"));
            h.processWatermark(T0 + 18_000);
            // the result moved the recovery on (the restart is issued) but is not emitted again
            assertThat(lines(h, CommandOut.class))
                    .extracting(CommandOut::action)
                    .containsExactly("MAP_DISKS", "RESTART_VM");
            assertThat(lines(h, ResultOut.class)).isEmpty();
            // no connector answers the restart: the engine's own timeout is a decision, and is
            // written
            h.processWatermark(
                    T0 + 320_000); // the restart was issued at T0+18 s, commandTimeout 5 min
            assertThat(lines(h, ResultOut.class))
                    .extracting(ResultOut::status)
                    .isNotEmpty()
                    .allMatch("TIMED_OUT"::equals);
        }
    }

    @Test
    void theLiveJobsResultForAClusterWithNoEngineIsADeadLetterAndMakesNoState() throws Exception {
        try (var h = live(false)) {
            h.processElement(
                    Routed.of(
                            "zz", new CommandResultEvent(T0, seq++, "forged-1", "SUCCEEDED", null)),
                    T0);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            e ->
                                    assertThat(((io.vmres.schema.DeadLetter) e.line()).getReason())
                                            .isEqualTo("result for unknown cluster zz: not kept"));
            assertThat(h.numKeyedStateEntries()).as("no engine, nothing held").isZero();

            // a cluster that a host record named has an engine: its results are applied
            h.processElement(Routed.of("c1", host("h1")), T0);
            h.processWatermark(T0);
            h.processElement(
                    Routed.of(
                            "c1",
                            new CommandResultEvent(
                                    T0 + 1_000, seq++, "c1-unknown", "SUCCEEDED", null)),
                    T0 + 1_000);
            h.processWatermark(T0 + 1_000);
            assertThat(h.extractOutputValues())
                    .filteredOn(e -> e.line() instanceof io.vmres.schema.DeadLetter)
                    .hasSize(1);
        }
    }

    @Test
    void theLiveJobAppliesAResultAsItArrivesAndItsFiguresKeepTheResultsOwnTime() throws Exception {
        try (var h = live(true)) {
            fleet(h, 60_000);
            h.processWatermark(T0 + 17_000);
            CommandOut map = lines(h, CommandOut.class).get(0);
            assertThat(map.action()).isEqualTo("MAP_DISKS");
            // the map's result, 2 s ahead of the watermark: the restart goes out now, at it
            send(h, new CommandResultEvent(T0 + 19_000, seq++, map.commandId(), "SUCCEEDED", "ok"));
            CommandOut restart = lines(h, CommandOut.class).get(1);
            assertThat(restart.action()).isEqualTo("RESTART_VM");
            assertThat(restart.ts()).isEqualTo(T0 + 17_000);
            // a second batch at the same instant: the restart's result, done at T0 + 23 s
            send(
                    h,
                    new CommandResultEvent(
                            T0 + 23_000, seq++, restart.commandId(), "SUCCEEDED", "ok"));
            IncidentOut recovered =
                    lines(h, IncidentOut.class).stream()
                            .filter(i -> i.state().equals("RECOVERED"))
                            .findFirst()
                            .orElseThrow();
            assertThat(recovered.ts()).isEqualTo(T0 + 17_000);
            // the recovery time counts to the result's own ts, not to the instant it was applied
            assertThat(recovered.figures().lastRecoveryTs()).isEqualTo(T0 + 23_000);
            assertThat(recovered.figures().failureStartTs()).isEqualTo(T0 + 5_000);
            // the heartbeats after the watermark are still on time: nothing is dead-lettered
            h.processWatermark(T0 + 60_000);
            assertThat(lines(h, DeadLetterOut.class)).isEmpty();
        }
    }

    @Test
    void withoutResultsOnArrivalAResultWaitsForTheWatermarkToPassIt() throws Exception {
        try (var h = harness(ClusterEngine.Hypervisor.EXTERNAL, false)) {
            fleet(h, 60_000);
            h.processWatermark(T0 + 17_000);
            CommandOut map = lines(h, CommandOut.class).get(0);
            send(h, new CommandResultEvent(T0 + 19_000, seq++, map.commandId(), "SUCCEEDED", "ok"));
            assertThat(lines(h, CommandOut.class)).hasSize(1);
            h.processWatermark(T0 + 19_000);
            assertThat(lines(h, CommandOut.class))
                    .extracting(CommandOut::ts)
                    .containsExactly(T0 + 17_000, T0 + 19_000);
        }
    }
}
