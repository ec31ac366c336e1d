package io.vmres.job.route;

import io.vmres.engine.event.ClockSkew;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Events;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.HostRemoved;
import io.vmres.engine.event.OperatorConfirm;
import io.vmres.engine.event.TelemetryStall;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import io.vmres.engine.recording.ClusterRouter;
import io.vmres.job.InputJunk;
import io.vmres.job.Routed;
import io.vmres.job.types.EventSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.util.Collector;

/**
 * Keyed by host: routes what concerns one host to the engine of its cluster, as {@link
 * ClusterRouter} does for the whole fleet. It keeps the host's cluster and the latest record of
 * each VM on it: a host record that names another cluster goes to both, and brings its VMs along
 * into the new one; a VM record goes to the cluster of its host; telemetry goes to the host's
 * cluster. When a VM changes host, both hosts tell the VM's stage ({@link MoveRouteFunction}) their
 * cluster, which sends the record to the old cluster too when they differ. A cluster the host joins
 * is told to the fleet-wide stage ({@link FleetRouteFunction}).
 *
 * <p>Inventory and VM messages come over several channels (some through the VM stage); they are
 * held until the watermark passes their instant and applied in (ts, seq) order, the order of the
 * input. Telemetry goes on at once unless a host record is held (it may change the cluster) or,
 * live, the host is in no cluster yet: then it waits for the watermark too, so that a host record
 * of its instant or before that is read after it (from another partition, as when the job reads a
 * backlog) still places it. What is held is kept as bytes ({@link HeldHops}): while the job reads a
 * backlog it holds all of it, and each checkpoint copies it. One event-time timer a host wakes it
 * for what it holds, at the earliest instant held: when the watermark passes it, every instant held
 * up to the watermark is applied, in order, and the timer moves to the next one held (a timer an
 * instant held would put the whole backlog's instants in the timer queue, which each checkpoint
 * copies too). Held messages of a savepoint of an earlier graph (state {@code pending}, a list of
 * messages an instant) are applied with the held ones of their instant.
 *
 * <p>A replay routes what concerns hosts in no cluster to the key {@link ClusterRouter#UNKNOWN}, as
 * the spec has it. The live job, which runs for months, does not keep it (junk must not grow
 * state): telemetry, requests and removals of a host no record places in a cluster, and removals of
 * VMs on none, are dead letters ({@link ClusterRouting#UNROUTED}, counted as {@code
 * vmres_input_unknownHost}); a VM's record is kept here, unrouted, so that it joins its host's
 * cluster when the host registers; an operator's confirmation still reaches the unknown key for its
 * {@code CONFIRM_IGNORED} alert; the note of a wrong clock is dropped with its event.
 */
public class HostRouteFunction extends KeyedProcessFunction<String, Hop, Routed>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private static final java.util.Comparator<Hop> HOST_RECORDS_FIRST =
            java.util.Comparator.comparing(
                    h -> !(h.kind() == Hop.Kind.EVENT && h.event() instanceof HostEvent));

    private transient ValueState<String> cluster;
    private transient MapState<String, Event> vms;

    /** Messages held until the watermark passes their instant (the key). */
    private transient MapState<Long, HeldHops> held;

    /**
     * What a savepoint of an earlier graph held, in the form it held it: read, never written. Only
     * a job restored from a checkpoint or savepoint looks at it.
     */
    private transient MapState<Long, List<Hop>> legacyPending;

    /**
     * The instant of the one timer that wakes this host for what it holds, at or before the
     * earliest held; absent when none is set (or in state of an earlier graph, whose timers were
     * one an instant held: they still fire).
     */
    private transient ValueState<Long> heldTimer;

    private transient boolean restored;
    private transient DataOutputSerializer buffer;
    private transient ValueState<Long> hostRecordsHeld;

    /**
     * The instant of the earliest host record held, once known (telemetry that follows a held host
     * record asks for it); cleared when a held one is applied. Not otherwise needed: absent (as in
     * state of an earlier graph), it is found from what is held.
     */
    private transient ValueState<Long> firstHeld;

    private transient boolean toldUnknown;
    private transient Counter unknownHost;
    private transient long junkSeq;

    /**
     * The live job: input about hosts in no cluster is a dead letter, not routed to the unknown
     * key; and seq is a Kafka offset, an order within one partition only, so at one instant the
     * host's records apply before its other held input (a heartbeat of the instant a host registers
     * is the registered host's).
     */
    private final boolean live;

    public HostRouteFunction(boolean live) {
        this.live = live;
    }

    @Override
    public void open(OpenContext ctx) {
        unknownHost =
                InputJunk.counter(getRuntimeContext().getMetricGroup(), InputJunk.UNKNOWN_HOST);
        cluster = getRuntimeContext().getState(new ValueStateDescriptor<>("cluster", Types.STRING));
        vms =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "vms",
                                        StringSerializer.INSTANCE,
                                        EventSerializer.INSTANCE));
        held =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "held",
                                        LongSerializer.INSTANCE,
                                        HeldHops.Serializer.INSTANCE));
        legacyPending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending",
                                        LongSerializer.INSTANCE,
                                        new ListSerializer<>(Hop.Serializer.INSTANCE)));
        buffer = new DataOutputSerializer(256);
        hostRecordsHeld =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "host-records-held", LongSerializer.INSTANCE));
        firstHeld =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "first-host-record-held", LongSerializer.INSTANCE));
        heldTimer =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>("held-timer", LongSerializer.INSTANCE));
    }

    @Override
    public void processElement(Hop hop, Context ctx, Collector<Routed> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        boolean telemetry =
                hop.kind() == Hop.Kind.EVENT
                        && !(hop.event() instanceof HostEvent)
                        && !(hop.event() instanceof HostRemoved);
        // each is a lookup in the state backend: read once (nothing below changes them before
        // they are used)
        String placed = cluster.value();
        Long heldBefore = hostRecordsHeld.value();
        if (telemetry && placed != null && heldBefore == null) {
            // most of the input: telemetry of a host in a cluster, no record of it held
            deliver(placed, hop.event(), ctx, out);
            return;
        }
        if (live && telemetry && placed == null && heldBefore != null) {
            // Live, the host's first record has come but is held: what comes after it, however
            // early its ts (a far-late beat), waits for it and goes where it sends the host, as
            // in the order of arrival; else it would be a dead letter of a host in no cluster.
            // The engine judges its ts.
            long first = firstHostRecordTs();
            if (hop.ts() < first) {
                hold(first, held.get(first), hop);
                return;
            }
        }
        if (hop.ts() <= watermark
                || (telemetry && heldBefore == null && !(live && placed == null))) {
            // late (a live stream only): applied with what is known now; the engine's late policy
            // decides what becomes of it. Live telemetry of a host in no cluster waits for the
            // watermark instead: a host record of its instant or before may still come (read from
            // another partition, as when the job reads a backlog), and places it.
            apply(hop, ctx, out);
            return;
        }
        HeldHops at = held.get(hop.ts());
        if (at == null) {
            wakeAt(hop.ts(), ctx);
        }
        hold(hop.ts(), at, hop);
        if (hop.event() instanceof HostEvent && hop.kind() == Hop.Kind.EVENT) {
            hostRecordsHeld.update(heldBefore == null ? 1 : heldBefore + 1);
            Long first = firstHeld.value();
            if (heldBefore == null || (first != null && hop.ts() < first)) {
                firstHeld.update(hop.ts());
            }
        }
    }

    /** Holds {@code hop} at {@code t}, after {@code at}, what is held there (or null). */
    private void hold(long t, HeldHops at, Hop hop) throws Exception {
        held.put(t, HeldHops.with(at, hop, buffer));
    }

    /** Moves the host's timer to {@code t} if it is set later, or sets it if none is. */
    private void wakeAt(long t, Context ctx) throws Exception {
        Long timer = heldTimer.value();
        if (timer != null && timer <= t) {
            return;
        }
        if (timer != null) {
            ctx.timerService().deleteEventTimeTimer(timer);
        }
        ctx.timerService().registerEventTimeTimer(t);
        heldTimer.update(t);
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<Routed> out) throws Exception {
        Long timer = heldTimer.value();
        if (timer != null && timer <= t) {
            heldTimer.clear();
        }
        // every instant held that the watermark passed, in order: the timers of a host's instants
        // fire in this order too, and what the other hosts' timers emit in between goes to other
        // keys (held input of one key never waits for another's)
        long upTo = Math.max(t, ctx.timerService().currentWatermark());
        TreeSet<Long> due = new TreeSet<>();
        long next = Long.MAX_VALUE;
        for (Long at : held.keys()) {
            if (at <= upTo) {
                due.add(at);
            } else {
                next = Math.min(next, at);
            }
        }
        if (restored) {
            for (Long at : legacyPending.keys()) {
                if (at <= upTo) {
                    due.add(at);
                }
                // later ones: an earlier graph set a timer for each of them
            }
        }
        // each instant's records carry its own time, as when each instant had its timer: the
        // health stage's event-time windows place samples by it
        TimestampedCollector<Routed> stamped =
                out instanceof TimestampedCollector<Routed> c ? c : null;
        for (long at : due) {
            if (stamped != null) {
                stamped.setAbsoluteTimestamp(at);
            }
            applyHeld(at, ctx, out);
        }
        if (next != Long.MAX_VALUE) {
            wakeAt(next, ctx);
        }
    }

    /** Applies what is held at {@code t}, in the order of the instant, and forgets it. */
    private void applyHeld(long t, Context ctx, Collector<Routed> out) throws Exception {
        HeldHops bytes = held.get(t);
        List<Hop> at = bytes == null ? null : bytes.hops();
        if (bytes != null) {
            held.remove(t);
        }
        if (restored) {
            List<Hop> earlier = legacyPending.get(t);
            if (earlier != null) {
                // held before the savepoint, by an earlier graph: it came first
                legacyPending.remove(t);
                if (at != null) {
                    earlier = new ArrayList<>(earlier);
                    earlier.addAll(at);
                }
                at = earlier;
            }
        }
        if (at == null) {
            return;
        }
        at.sort(live ? HOST_RECORDS_FIRST.thenComparing(Hop.IN_INSTANT) : Hop.IN_INSTANT);
        for (Hop hop : at) {
            if (hop.event() instanceof HostEvent && hop.kind() == Hop.Kind.EVENT) {
                long held = hostRecordsHeld.value() - 1;
                if (held == 0) {
                    hostRecordsHeld.clear();
                } else {
                    hostRecordsHeld.update(held);
                }
                // the earliest held is found again when next asked for
                firstHeld.clear();
            }
            apply(hop, ctx, out);
        }
    }

    private void apply(Hop hop, Context ctx, Collector<Routed> out) throws Exception {
        Event e = hop.event();
        switch (hop.kind()) {
            case EVENT -> {
                if (e instanceof HostEvent h) {
                    joins(h, ctx, out);
                } else {
                    if (e instanceof HostRemoved) {
                        // the VMs still on a removed host leave the fleet view: a later record of
                        // the host brings none along
                        vms.clear();
                    }
                    if (dropsUnknown(e)) {
                        // notes of the job's own (a retimed clock, a stalled partition) are no
                        // input of anyone's: only the event they speak of counts as junk
                        if (!(e instanceof ClockSkew) && !(e instanceof TelemetryStall)) {
                            junk(e, ctx);
                        }
                        return;
                    }
                    deliver(clusterOf(), e, ctx, out);
                }
            }
            case ARRIVE -> {
                VmEvent v = (VmEvent) e;
                vms.put(v.vm(), v);
                String here = clusterOf();
                if (!(live && ClusterRouter.UNKNOWN.equals(here))) {
                    deliver(here, v, ctx, out);
                }
                if (hop.other() != null && !hop.other().equals(v.host())) {
                    ctx.output(ClusterRouting.MOVES, Hop.arrivedIn(v, here));
                }
            }
            case LEAVE -> {
                VmEvent v = (VmEvent) e;
                vms.remove(v.vm());
                ctx.output(ClusterRouting.MOVES, Hop.leftFrom(v, clusterOf()));
            }
            case REMOVED -> {
                String from = ClusterRouter.UNKNOWN;
                if (hop.other() != null) {
                    vms.remove(((VmRemoved) e).vm());
                    from = clusterOf();
                }
                if (live && ClusterRouter.UNKNOWN.equals(from)) {
                    junk(e, ctx);
                } else {
                    deliver(from, e, ctx, out);
                }
            }
            default -> throw new IllegalArgumentException("not a host message: " + hop);
        }
    }

    /** A host record: to its cluster, to the one it leaves, and its VMs to the one it joins. */
    private void joins(HostEvent h, Context ctx, Collector<Routed> out) throws Exception {
        String previous = cluster.value();
        cluster.update(h.cluster());
        deliver(h.cluster(), h, ctx, out);
        if (h.cluster().equals(previous)) {
            return;
        }
        ctx.output(ClusterRouting.FLEET, Hop.appear(h.cluster(), h));
        if (previous != null) {
            deliver(previous, h, ctx, out);
        }
        // VMs already on the host (placed while it was unknown or in another cluster) are now in
        // this cluster's fleet view: it learns of them as of the host's record
        for (String vm : new TreeSet<>(vmNames())) {
            deliver(h.cluster(), Events.at(vms.get(vm), h.ts(), h.seq()), ctx, out);
        }
    }

    /** The instant of the earliest host record held (one is). */
    private long firstHostRecordTs() throws Exception {
        Long known = firstHeld.value();
        if (known != null) {
            return known;
        }
        long first = Long.MAX_VALUE;
        for (var e : held.entries()) {
            first = Math.min(first, firstHostRecord(e.getKey(), e.getValue().hops()));
        }
        if (restored) {
            for (var e : legacyPending.entries()) {
                first = Math.min(first, firstHostRecord(e.getKey(), e.getValue()));
            }
        }
        firstHeld.update(first);
        return first;
    }

    private static long firstHostRecord(long t, List<Hop> at) {
        for (Hop h : at) {
            if (h.kind() == Hop.Kind.EVENT && h.event() instanceof HostEvent) {
                return t;
            }
        }
        return Long.MAX_VALUE;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        // only state of a checkpoint or savepoint can hold messages in the earlier form
        restored = context.isRestored();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {}

    /**
     * Whether the live job keeps nothing of this event: it concerns a host in no cluster, where no
     * decision is taken (the spec's declarations need a registered host), and would only fill the
     * unknown key's state. A confirmation still gets its alert there.
     */
    private boolean dropsUnknown(Event e) throws Exception {
        return live && cluster.value() == null && !(e instanceof OperatorConfirm);
    }

    private void junk(Event e, Context ctx) {
        unknownHost.inc();
        ctx.output(
                ClusterRouting.UNROUTED,
                InputJunk.deadLetter(junkSeq++, e, "unknown host or VM, in no cluster: not kept"));
    }

    private List<String> vmNames() throws Exception {
        List<String> names = new ArrayList<>();
        for (String vm : vms.keys()) {
            names.add(vm);
        }
        return names;
    }

    private String clusterOf() throws Exception {
        String c = cluster.value();
        return c == null ? ClusterRouter.UNKNOWN : c;
    }

    private void deliver(String to, Event e, Context ctx, Collector<Routed> out) {
        out.collect(Routed.of(to, e));
        if (ClusterRouter.UNKNOWN.equals(to) && !toldUnknown) {
            // the fleet stage ends every key that got input, the unknown one too
            ctx.output(ClusterRouting.FLEET, Hop.appear(to, e));
            toldUnknown = true;
        }
    }
}
