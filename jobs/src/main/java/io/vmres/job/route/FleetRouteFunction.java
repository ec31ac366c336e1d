package io.vmres.job.route;

import io.vmres.engine.event.Event;
import io.vmres.engine.event.PowerDomainReading;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.recording.ClusterRouter;
import io.vmres.job.Routed;
import io.vmres.job.types.EventSerializer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The one key ({@link Hop#FLEET}) of what concerns every cluster: sim-faults and power-domain
 * readings go to every cluster seen so far; a cluster seen for the first time first gets every
 * earlier sim-fault and the latest reading of each domain, at their own instants; at the end of a
 * recording every cluster that got input is told. It sees the clusters' names, the sim-faults and
 * the domain readings, never the hosts' telemetry. Its input comes over several channels; it is
 * held until the watermark passes its instant and applied in (ts, seq) order.
 */
public class FleetRouteFunction extends KeyedProcessFunction<String, Hop, Routed> {
    private static final long serialVersionUID = 1L;

    private static final Comparator<Event> BY_TIME =
            Comparator.comparingLong(Event::ts).thenComparingLong(Event::seq);

    /** Clusters seen so far, in the order first seen ("" if the unknown key got input). */
    private transient ListState<String> clusters;

    private transient ListState<Event> simFaults;
    private transient MapState<String, Event> latestReading;
    private transient MapState<Long, List<Hop>> pending;

    @Override
    public void open(OpenContext ctx) {
        clusters =
                getRuntimeContext()
                        .getListState(new ListStateDescriptor<>("clusters", Types.STRING));
        simFaults =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>("sim-faults", EventSerializer.INSTANCE));
        latestReading =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "latest-reading",
                                        StringSerializer.INSTANCE,
                                        EventSerializer.INSTANCE));
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending",
                                        LongSerializer.INSTANCE,
                                        new ListSerializer<>(Hop.Serializer.INSTANCE)));
    }

    @Override
    public void processElement(Hop hop, Context ctx, Collector<Routed> out) throws Exception {
        if (hop.ts() <= ctx.timerService().currentWatermark()) {
            apply(hop, out); // late (a live stream only): applied now
            return;
        }
        List<Hop> at = pending.get(hop.ts());
        if (at == null) {
            at = new ArrayList<>(2);
            ctx.timerService().registerEventTimeTimer(hop.ts());
        }
        at.add(hop);
        pending.put(hop.ts(), at);
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<Routed> out) throws Exception {
        List<Hop> at = pending.get(t);
        if (at == null) {
            return;
        }
        pending.remove(t);
        at.sort(Hop.IN_INSTANT);
        for (Hop hop : at) {
            apply(hop, out);
        }
    }

    private void apply(Hop hop, Collector<Routed> out) throws Exception {
        switch (hop.kind()) {
            case EVENT -> {
                if (hop.event() instanceof SimFault) {
                    simFaults.add(hop.event()); // a cluster seen later must still count it
                } else if (hop.event() instanceof PowerDomainReading p) {
                    // a domain may feed hosts of several clusters, and hosts may join it later:
                    // every cluster keeps the latest reading of every domain
                    latestReading.put(p.powerDomain(), p);
                } else {
                    throw new IllegalArgumentException("not a fleet-wide event: " + hop);
                }
                for (String c : clusters.get()) {
                    if (!ClusterRouter.UNKNOWN.equals(c)) {
                        out.collect(Routed.of(c, hop.event()));
                    }
                }
            }
            case APPEAR -> appear(hop.other(), out);
            case END -> {
                for (String c : clusters.get()) {
                    out.collect(Routed.end(c, hop.endTs()));
                }
            }
            default -> throw new IllegalArgumentException("not a fleet-wide message: " + hop);
        }
    }

    private void appear(String cluster, Collector<Routed> out) throws Exception {
        for (String c : clusters.get()) {
            if (c.equals(cluster)) {
                return;
            }
        }
        clusters.add(cluster);
        if (ClusterRouter.UNKNOWN.equals(cluster)) {
            return;
        }
        List<Event> earlier = new ArrayList<>();
        simFaults.get().forEach(earlier::add);
        latestReading.values().forEach(earlier::add);
        earlier.sort(BY_TIME);
        for (Event e : earlier) {
            out.collect(Routed.earlier(cluster, e));
        }
    }
}
