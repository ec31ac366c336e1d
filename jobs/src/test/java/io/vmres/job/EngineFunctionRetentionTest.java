package io.vmres.job;

import static io.vmres.job.EngineOperatorFixture.T0;
import static io.vmres.job.EngineOperatorFixture.host;
import static io.vmres.job.EngineOperatorFixture.lines;
import static io.vmres.job.EngineOperatorFixture.send;
import static io.vmres.job.EngineOperatorFixture.vm1;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.Settings;
import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.Power;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.IncidentOut;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The live job's engine drops an incident an hour after it closed; a replay's keeps it. */
// Flink's test utilities declare close() throws Exception
@SuppressWarnings("try")
class EngineFunctionRetentionTest {
    private static final long END = T0 + 3_700_000; // the incident closes at T0+30 s
    private long seq;

    @Test
    void theLiveEngineDropsAClosedIncidentAfterAnHour() throws Exception {
        ClusterEngine live = closedIncident(ClusterEngine.Hypervisor.EXTERNAL);
        assertThat(live.incidentsHeld()).isZero();
        assertThat(live.figures()).isEmpty();
    }

    @Test
    void aReplayEngineKeepsEveryIncident() throws Exception {
        ClusterEngine replay = closedIncident(ClusterEngine.Hypervisor.SIMULATED);
        assertThat(replay.incidentsHeld()).isEqualTo(1);
        assertThat(replay.figures()).extracting(f -> f.state()).containsExactly("CLOSED");
    }

    /**
     * h1 stops beating after T0+5 s with its power off: its VM is mapped and restarted (answered by
     * results in the live job), then h1 beats again from T0+30 s and the incident closes. The input
     * ends an hour and more later; the engine as it is then.
     */
    private ClusterEngine closedIncident(ClusterEngine.Hypervisor mode) throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, Routed, Emitted> h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new EngineFunction(Settings.DEFAULTS, mode, true),
                        Routed::cluster,
                        Types.STRING)) {
            for (String name : List.of("h1", "h2", "h3")) {
                send(h, host(seq++, name));
            }
            send(h, vm1(seq++));
            send(h, new Power(T0 + 6_000, seq++, "h1", "off"));
            beats(h, T0 + 1_000, END);
            h.processWatermark(T0 + 17_000);
            if (mode == ClusterEngine.Hypervisor.EXTERNAL) {
                answer(h, T0 + 18_000);
                h.processWatermark(T0 + 18_000);
                answer(h, T0 + 19_000);
            }
            h.processElement(Routed.end("c1", END), END);
            h.processWatermark(Long.MAX_VALUE);
            assertThat(lines(h, IncidentOut.class))
                    .extracting(IncidentOut::state)
                    .last()
                    .isEqualTo("CLOSED");
            List<ClusterEngine> finals = lines(h, ClusterEngine.class);
            assertThat(finals).hasSize(1);
            return finals.get(0);
        }
    }

    /** Every host beats each 5 s in [from, to]; h1 only until T0+5 s and again from T0+30 s. */
    private void beats(
            KeyedOneInputStreamOperatorTestHarness<String, Routed, Emitted> h, long from, long to)
            throws Exception {
        for (long t = from; t <= to; t += 5_000) {
            for (String name : List.of("h1", "h2", "h3")) {
                if (!name.equals("h1") || t <= T0 + 5_000 || t >= T0 + 30_000) {
                    send(h, new Heartbeat(t, seq++, name, "mgmt"));
                }
            }
        }
    }

    /** The connector's SUCCEEDED for the last command issued. */
    private void answer(KeyedOneInputStreamOperatorTestHarness<String, Routed, Emitted> h, long at)
            throws Exception {
        List<CommandOut> commands = lines(h, CommandOut.class);
        String id = commands.get(commands.size() - 1).commandId();
        send(h, new CommandResultEvent(at, seq++, id, "SUCCEEDED", "ok"));
    }
}
