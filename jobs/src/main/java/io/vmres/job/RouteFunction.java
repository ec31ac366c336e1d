package io.vmres.job;

import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.OperatorConfirm;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.recording.ClusterRouter;
import io.vmres.job.live.Decoded;
import io.vmres.job.live.DecodingDeserializer;
import io.vmres.schema.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends each decoded input to the engine of its cluster ({@link ClusterRouter} knows which host is
 * in which cluster); command results go to the cluster of their command; dead letters go to a side
 * output. The router's map is checkpointed.
 */
public class RouteFunction extends ProcessFunction<Decoded, Routed>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final OutputTag<Emitted> deadLetters;
    private transient ClusterRouter router;
    private transient ListState<ClusterRouter> saved;
    private transient long badSeq;
    private transient InputCounters counters;

    public RouteFunction(OutputTag<Emitted> deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public void open(OpenContext ctx) {
        if (router == null) {
            router = new ClusterRouter();
        }
        counters = new InputCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(Decoded d, Context ctx, Collector<Routed> out) {
        if (d.isBad()) {
            counters.deadLetters.inc();
            ctx.output(deadLetters, new Emitted(null, badSeq++, d.deadLetter()));
            String reason = d.deadLetter().getReason();
            if (reason.startsWith(DecodingDeserializer.UNVERIFIED_RESULT)) {
                // a forged or altered result on the results topic: someone must look at who
                // writes it (the engine never saw it)
                ctx.output(
                        deadLetters,
                        new Emitted(
                                null,
                                badSeq++,
                                new AlertOut(
                                        "RESULT_REJECTED",
                                        null,
                                        null,
                                        List.of(),
                                        reason + " at " + d.deadLetter().getSource(),
                                        d.deadLetter().getTs().toEpochMilli())));
            }
            return;
        }
        if (d.event() instanceof CommandResultEvent) {
            if (d.cluster() == null || !router.isKnownCluster(d.cluster())) {
                // an engine per name would be made for results naming clusters nobody has
                counters.unknownCluster.inc();
                junk(ctx, d.event(), "result for unknown cluster " + d.cluster() + ": not kept");
                return;
            }
            out.collect(Routed.of(d.cluster(), d.event()));
            return;
        }
        for (ClusterRouter.Delivery delivery : router.route(d.event())) {
            if (ClusterRouter.UNKNOWN.equals(delivery.cluster())
                    && !(delivery.event() instanceof OperatorConfirm)
                    && !(delivery.event() instanceof VmEvent)) {
                // Nothing is decided for a host that no record places in a cluster (the spec's
                // declarations need a registered host), so its telemetry and requests would only
                // fill the state of the unknown key. A confirmation still gets its
                // CONFIRM_IGNORED alert; a VM's record is kept by the router, which brings it to
                // its host's cluster once the host registers.
                counters.unknownHost.inc();
                junk(ctx, delivery.event(), "unknown host or VM, in no cluster: not kept");
                continue;
            }
            if (ClusterRouter.UNKNOWN.equals(delivery.cluster())
                    && delivery.event() instanceof VmEvent) {
                continue;
            }
            out.collect(Routed.of(delivery.cluster(), delivery.event()));
        }
    }

    private void junk(Context ctx, Event e, String reason) {
        long ts = ctx.timestamp() == null ? e.ts() : ctx.timestamp();
        ctx.output(
                deadLetters,
                new Emitted(
                        null,
                        badSeq++,
                        DeadLetters.of(
                                "route",
                                null,
                                reason,
                                e.toString().getBytes(StandardCharsets.UTF_8),
                                Instant.ofEpochMilli(Math.max(0, ts)))));
    }

    /** Operator-wide counts of input that reaches no engine (group {@code vmres_input}). */
    static final class InputCounters {
        final Counter deadLetters;
        final Counter unknownHost;
        final Counter unknownCluster;

        InputCounters(MetricGroup operator) {
            MetricGroup g = operator.addGroup("vmres_input");
            deadLetters = g.counter("deadLetters");
            unknownHost = g.counter("unknownHost");
            unknownCluster = g.counter("unknownCluster");
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        saved.update(List.of(router));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        saved =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("router", new RouterSerializer()));
        for (ClusterRouter r : saved.get()) {
            router = r;
        }
    }

    /** Checkpoints the router with Java serialization. */
    public static final class RouterSerializer
            extends io.vmres.job.types.JavaSerializer<ClusterRouter> {
        private static final long serialVersionUID = 1L;

        public RouterSerializer() {
            super(ClusterRouter.class);
        }

        @Override
        public org.apache.flink.api.common.typeutils.TypeSerializerSnapshot<ClusterRouter>
                snapshotConfiguration() {
            return new Snapshot();
        }

        /** Snapshot of a serializer without configuration. */
        public static final class Snapshot
                extends org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot<
                        ClusterRouter> {
            public Snapshot() {
                super(RouterSerializer::new);
            }
        }
    }
}
