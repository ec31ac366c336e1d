package io.vmres.job.route;

import io.vmres.engine.event.VmEvent;
import io.vmres.engine.recording.ClusterRouter;
import io.vmres.job.Routed;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by VM: a VM record that moves the VM to another host goes to the cluster of the host it
 * left as well, when that is not the cluster it arrives in (the old cluster sees it leave). The two
 * hosts each tell their cluster, in any order; the second answer decides.
 */
public class MoveRouteFunction extends KeyedProcessFunction<String, Hop, Routed> {
    private static final long serialVersionUID = 1L;

    /** The first answer of each move, by the record's (ts, seq). */
    private transient MapState<String, Hop> halves;

    private transient boolean toldUnknown;

    /** The live job: the key of hosts in no cluster gets no VM record (replay: the spec's). */
    private final boolean live;

    public MoveRouteFunction(boolean live) {
        this.live = live;
    }

    @Override
    public void open(OpenContext ctx) {
        halves =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "halves",
                                        StringSerializer.INSTANCE,
                                        Hop.Serializer.INSTANCE));
    }

    @Override
    public void processElement(Hop hop, Context ctx, Collector<Routed> out) throws Exception {
        String move = hop.ts() + "/" + hop.seq();
        Hop first = halves.get(move);
        if (first == null) {
            halves.put(move, hop);
            return;
        }
        halves.remove(move);
        Hop arrived = hop.kind() == Hop.Kind.ARRIVED_IN ? hop : first;
        Hop left = hop.kind() == Hop.Kind.LEFT_FROM ? hop : first;
        if (arrived.kind() != Hop.Kind.ARRIVED_IN || left.kind() != Hop.Kind.LEFT_FROM) {
            throw new IllegalStateException("two halves of one kind for a move: " + hop);
        }
        if (live && ClusterRouter.UNKNOWN.equals(left.other())) {
            // live: a VM's record is not kept under the unknown key (HostRouteFunction)
            return;
        }
        if (!left.other().equals(arrived.other())) {
            VmEvent v = (VmEvent) hop.event();
            out.collect(Routed.of(left.other(), v));
            if (ClusterRouter.UNKNOWN.equals(left.other()) && !toldUnknown) {
                ctx.output(ClusterRouting.FLEET, Hop.appear(left.other(), v));
                toldUnknown = true;
            }
        }
    }
}
