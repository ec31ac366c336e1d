package io.vmres.job;

import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.recording.ClusterRouter;
import io.vmres.job.live.Decoded;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
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

    public RouteFunction(OutputTag<Emitted> deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public void open(OpenContext ctx) {
        if (router == null) {
            router = new ClusterRouter();
        }
    }

    @Override
    public void processElement(Decoded d, Context ctx, Collector<Routed> out) {
        if (d.isBad()) {
            ctx.output(deadLetters, new Emitted(null, badSeq++, d.deadLetter()));
            return;
        }
        if (d.event() instanceof CommandResultEvent) {
            out.collect(
                    Routed.of(
                            d.cluster() == null ? ClusterRouter.UNKNOWN : d.cluster(), d.event()));
            return;
        }
        for (ClusterRouter.Delivery delivery : router.route(d.event())) {
            out.collect(Routed.of(delivery.cluster(), delivery.event()));
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
