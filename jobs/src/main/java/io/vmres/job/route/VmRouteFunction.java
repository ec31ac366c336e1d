package io.vmres.job.route;

import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by VM: the first routing stage of VM records. It knows the host each VM was last placed on,
 * and tells the hosts concerned: the new host that the VM arrives (with the host it came from), the
 * previous host that it leaves, the last host that it is gone. The hosts route it ({@link
 * HostRouteFunction}). A VM's records reach it in the order they are read, one input channel each.
 */
public class VmRouteFunction extends KeyedProcessFunction<String, Hop, Hop> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<String> hostOfVm;

    @Override
    public void open(OpenContext ctx) {
        hostOfVm = getRuntimeContext().getState(new ValueStateDescriptor<>("host", Types.STRING));
    }

    @Override
    public void processElement(Hop hop, Context ctx, Collector<Hop> out) throws Exception {
        String previous = hostOfVm.value();
        if (hop.event() instanceof VmEvent v) {
            hostOfVm.update(v.host());
            out.collect(Hop.arrive(v, previous));
            if (previous != null && !previous.equals(v.host())) {
                out.collect(Hop.leave(v, previous));
            }
        } else if (hop.event() instanceof VmRemoved r) {
            // the VM leaves the fleet view: a record naming it later starts afresh
            hostOfVm.clear();
            out.collect(Hop.removed(r, previous));
        } else {
            throw new IllegalArgumentException("not a VM input: " + hop);
        }
    }
}
