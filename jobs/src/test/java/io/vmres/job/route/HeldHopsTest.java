package io.vmres.job.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import io.vmres.engine.recording.ClusterRouter;
import io.vmres.job.Routed;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * The host stage's held messages as bytes: they come back as they were held, in that order, and
 * messages held by an earlier graph (a list of messages an instant, state {@code pending}) are
 * applied from a savepoint of it, first among their instant's; one timer a host wakes it for all it
 * holds.
 */
@SuppressWarnings("try") // test harnesses held open by try-with-resources
class HeldHopsTest {
    private static final long T0 = 1_772_359_200_000L;

    @Test
    void heldMessagesComeBackAsTheyWereHeldInTheirOrder() throws Exception {
        VmEvent vm = vm("vm-1", "h1", T0);
        List<Hop> hops =
                List.of(
                        Hop.event(host("h1", "c1", T0)),
                        Hop.event(beat("h1", T0 + 1)),
                        Hop.arrive(vm, "h0"),
                        Hop.leave(vm, "h1"),
                        Hop.removed(new VmRemoved(T0 + 2, 9, "vm-2"), null),
                        Hop.end(T0 + 3));
        DataOutputSerializer buffer = new DataOutputSerializer(16);
        HeldHops held = null;
        for (Hop h : hops) {
            held = HeldHops.with(held, h, buffer);
        }
        assertThat(held.hops()).containsExactlyElementsOf(hops);

        // a checkpoint writes the bytes, a restore reads them back: the same messages
        DataOutputSerializer out = new DataOutputSerializer(16);
        HeldHops.Serializer.INSTANCE.serialize(held, out);
        HeldHops restored =
                HeldHops.Serializer.INSTANCE.deserialize(
                        new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(restored.size()).isEqualTo(held.size());
        assertThat(restored.hops()).containsExactlyElementsOf(hops);
        // immutable: a checkpoint shares what the stage goes on with
        assertThat(HeldHops.Serializer.INSTANCE.copy(held)).isSameAs(held);
    }

    @Test
    void holdingMoreLeavesWhatWasHeldAsItWas() throws Exception {
        DataOutputSerializer buffer = new DataOutputSerializer(16);
        Hop first = Hop.event(beat("h1", T0));
        HeldHops one = HeldHops.with(null, first, buffer);
        HeldHops two = HeldHops.with(one, Hop.event(beat("h1", T0 + 1)), buffer);
        assertThat(one.hops()).containsExactly(first);
        assertThat(two.hops()).hasSize(2).startsWith(first);
    }

    @Test
    void messagesHeldByAnEarlierGraphAreAppliedFromItsSavepoint() throws Exception {
        HostEvent record = host("h1", "c1", T0);
        Heartbeat before = beat("h1", T0);
        OperatorSubtaskState savepoint;
        try (KeyedOneInputStreamOperatorTestHarness<String, Hop, Routed> earlier =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new EarlierHostStage(), Hop::key, Types.STRING)) {
            earlier.processElement(Hop.event(record), T0);
            earlier.processElement(Hop.event(before), T0);
            savepoint = earlier.snapshot(1, T0);
        }
        try (KeyedOneInputStreamOperatorTestHarness<String, Hop, Routed> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new HostRouteFunction(true)),
                        Hop::key,
                        Types.STRING)) {
            h.initializeState(savepoint);
            h.open();
            // held after the restore, behind the host record the earlier graph held
            Heartbeat after = beat("h1", T0 + 1);
            h.processElement(Hop.event(after), T0 + 1);
            h.processWatermark(T0 - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(T0);
            assertThat(h.extractOutputValues())
                    .containsExactly(Routed.of("c1", record), Routed.of("c1", before));
            h.processWatermark(T0 + 1);
            assertThat(h.extractOutputValues())
                    .containsExactly(
                            Routed.of("c1", record),
                            Routed.of("c1", before),
                            Routed.of("c1", after));
        }
    }

    @Test
    void oneTimerAHostWakesItForEveryInstantItHolds() throws Exception {
        HostEvent h1 = host("h1", "c1", T0);
        HostEvent h2 = host("h2", "c2", T0);
        List<Heartbeat> beats1 =
                List.of(beat("h1", T0 + 1), beat("h1", T0 + 2), beat("h1", T0 + 3));
        Heartbeat beat2 = beat("h2", T0 + 2);
        try (KeyedOneInputStreamOperatorTestHarness<String, Hop, Routed> h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new HostRouteFunction(true), Hop::key, Types.STRING)) {
            // as when the job reads a backlog: the host records are held, and what follows them
            h.processElement(Hop.event(h1), T0);
            h.processElement(Hop.event(h2), T0);
            for (Heartbeat b : beats1) {
                h.processElement(Hop.event(b), b.ts());
            }
            h.processElement(Hop.event(beat2), beat2.ts());
            assertThat(h.numEventTimeTimers()).isEqualTo(2);

            h.processWatermark(T0 + 1);
            assertThat(h.extractOutputValues())
                    .containsExactlyInAnyOrder(
                            Routed.of("c1", h1),
                            Routed.of("c2", h2),
                            Routed.of("c1", beats1.get(0)));
            assertThat(h.numEventTimeTimers()).isEqualTo(2);

            // the watermark passes every instant held at once: each host's in their order
            h.processWatermark(T0 + 10);
            List<Routed> c1 =
                    h.extractOutputValues().stream().filter(r -> r.cluster().equals("c1")).toList();
            assertThat(c1)
                    .containsExactly(
                            Routed.of("c1", h1),
                            Routed.of("c1", beats1.get(0)),
                            Routed.of("c1", beats1.get(1)),
                            Routed.of("c1", beats1.get(2)));
            assertThat(h.extractOutputValues()).contains(Routed.of("c2", beat2)).hasSize(6);
            // each with its instant's time, which the health stage's windows go by
            assertThat(h.extractOutputStreamRecords())
                    .allSatisfy(
                            r -> assertThat(r.getTimestamp()).isEqualTo(r.getValue().event().ts()));
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void anEarlierInstantHeldLaterMovesTheHostsTimerBack() throws Exception {
        HostEvent record = host("h1", "c1", T0 + 2);
        Heartbeat early = beat("h1", T0 + 1);
        try (KeyedOneInputStreamOperatorTestHarness<String, Hop, Routed> h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new HostRouteFunction(false), Hop::key, Types.STRING)) {
            h.processElement(Hop.event(record), record.ts());
            h.processElement(Hop.event(early), early.ts());
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(T0 + 1);
            // before the host's record: in no cluster yet
            assertThat(h.extractOutputValues())
                    .containsExactly(Routed.of(ClusterRouter.UNKNOWN, early));
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(T0 + 2);
            assertThat(h.extractOutputValues())
                    .containsExactly(
                            Routed.of(ClusterRouter.UNKNOWN, early), Routed.of("c1", record));
        }
    }

    /** The host stage's holding as an earlier graph kept it: a list of messages an instant. */
    private static final class EarlierHostStage extends KeyedProcessFunction<String, Hop, Routed> {
        private transient MapState<Long, List<Hop>> pending;
        private transient ValueState<Long> hostRecordsHeld;

        @Override
        public void open(OpenContext ctx) {
            pending =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "pending",
                                            LongSerializer.INSTANCE,
                                            new ListSerializer<>(Hop.Serializer.INSTANCE)));
            hostRecordsHeld =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>(
                                            "host-records-held", LongSerializer.INSTANCE));
        }

        @Override
        public void processElement(Hop hop, Context ctx, Collector<Routed> out) throws Exception {
            List<Hop> at = pending.get(hop.ts());
            if (at == null) {
                at = new ArrayList<>();
                ctx.timerService().registerEventTimeTimer(hop.ts());
            }
            at.add(hop);
            pending.put(hop.ts(), at);
            if (hop.event() instanceof HostEvent) {
                Long held = hostRecordsHeld.value();
                hostRecordsHeld.update(held == null ? 1 : held + 1);
            }
        }
    }

    private static HostEvent host(String host, String cluster, long ts) {
        return new HostEvent(
                ts, 1, host, cluster, 32, 131072, "r1", "pd1", "kvm", List.of("sd1"), false, true);
    }

    private static Heartbeat beat(String host, long ts) {
        return new Heartbeat(ts, 2, host, "mgmt");
    }

    private static VmEvent vm(String vm, String host, long ts) {
        return new VmEvent(
                ts, 3, vm, host, 2, 4096, 500, true, null, "sd1", List.of("d1"), List.of());
    }
}
