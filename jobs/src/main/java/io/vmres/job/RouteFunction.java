package io.vmres.job;

import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.recording.ClusterRouter;
import io.vmres.job.live.Decoded;
import io.vmres.job.live.DecodingDeserializer;
import io.vmres.job.route.ClusterRouting;
import io.vmres.job.route.Hop;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry of the live job's routing: dead letters go to a side output, command results straight
 * to the cluster of their command (they name it), and every other event on to the routing stages
 * ({@link ClusterRouting}), keyed by VM, host or the fleet. A result that names no cluster is a
 * dead letter here; one naming a cluster that no host record named is one at the engines ({@link
 * EngineFunction}), which know their clusters. It keeps no state of its own. A savepoint of an
 * earlier graph, where this operator held the whole fleet's routing map, restores into it: the map
 * is read, logged and dropped, and the routing stages learn the fleet anew from the inventory (see
 * docs/operations.md, "Upgrading").
 */
public class RouteFunction extends ProcessFunction<Decoded, Hop> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RouteFunction.class);

    /** Command results, routed by the cluster of their command. */
    public static final OutputTag<Routed> RESULTS = new OutputTag<>("command-results", Routed.TYPE);

    private final OutputTag<Emitted> deadLetters;
    private transient long badSeq;
    private transient Counter badRecords;
    private transient Counter unknownCluster;

    public RouteFunction(OutputTag<Emitted> deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public void open(OpenContext ctx) {
        badRecords =
                InputJunk.counter(getRuntimeContext().getMetricGroup(), InputJunk.DEAD_LETTERS);
        unknownCluster =
                InputJunk.counter(getRuntimeContext().getMetricGroup(), InputJunk.UNKNOWN_CLUSTER);
    }

    @Override
    public void processElement(Decoded d, Context ctx, Collector<Hop> out) {
        if (d.isBad()) {
            badRecords.inc();
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
            if (d.cluster() == null || ClusterRouter.UNKNOWN.equals(d.cluster())) {
                // the key of hosts in no cluster has no commands: nothing there waits for it
                unknownCluster.inc();
                ctx.output(
                        deadLetters,
                        InputJunk.deadLetter(
                                badSeq++,
                                d.event(),
                                "result for unknown cluster " + d.cluster() + ": not kept"));
                return;
            }
            ctx.output(RESULTS, Routed.of(d.cluster(), d.event()));
            return;
        }
        out.collect(Hop.event(d.event()));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {}

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // The routing map of the graph before routing was keyed: nothing uses it any more.
        ListState<ClusterRouter> saved =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("router", new RouterSerializer()));
        for (ClusterRouter r : saved.get()) {
            LOG.warn(
                    "Dropping the routing map of a savepoint taken before routing was keyed by"
                            + " host ({}); hosts are routed again from their next inventory record",
                    r.describe());
        }
        saved.clear();
    }

    /** Reads the routing map of savepoints taken before routing was keyed (Java serialization). */
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
