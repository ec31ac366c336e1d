package io.vmres.job;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.EngineDriver;
import io.vmres.engine.EngineOptions;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Events;
import io.vmres.engine.out.AdmissionOut;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.DeadLetterOut;
import io.vmres.engine.out.HostStateOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import io.vmres.job.types.EngineStateSerializer;
import io.vmres.job.types.PendingSerializer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.BooleanSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by cluster: holds the cluster's {@link ClusterEngine} and feeds it in event time. Input is
 * held until the watermark passes its instant, then handed over in (ts, seq) order, one instant at
 * a time; the engine's own work (timers, simulated answers, timeouts) is driven by event-time
 * timers at the instants it asks for. All decisions are the engine's.
 *
 * <p>In the live job, a command result for a cluster that has no engine and no held input (no host
 * record named it) is a dead letter, counted as {@code vmres_input_unknownCluster}: it makes no
 * engine, so results naming made-up clusters cannot grow state.
 *
 * <p>The live job also applies a connector's result as soon as it arrives ({@code
 * resultsOnArrival}): the engine runs up to the current watermark W and takes the result at W, a
 * second batch when it ran W already. Nothing at or before W arrives any more (what does is late),
 * so no on-time input is overtaken, and the next command goes out without waiting for the watermark
 * to pass the result's own ts, up to outOfOrderness later. The result keeps its own ts for the
 * incident's figures (when the VM was recovered), which the Wrong clocks rule bounds by when it was
 * written. A replay never takes this path: its results are answers in event time.
 */
public class EngineFunction extends KeyedProcessFunction<String, Routed, Emitted> {
    private static final long serialVersionUID = 1L;

    /** The order within one instant: by seq, and ties (a prediction and its sample) by content. */
    private static final Comparator<Event> IN_INSTANT =
            Comparator.comparingLong(Event::seq).thenComparing(Event::toString);

    private final Settings settings;
    private final ClusterEngine.Hypervisor hypervisor;
    private final boolean emitFinalEngine;
    private final boolean hostStates;

    private transient ValueState<ClusterEngine> engine;
    private transient ValueState<TreeMap<Long, ArrayList<Event>>> pending;
    private transient ValueState<Long> timerAt;
    private transient ValueState<Boolean> finalSent;
    private transient ValueState<Boolean> endTold;
    private transient ValueState<Long> endTs;
    private transient ValueState<Long> emitted;
    private transient Counter lateEvents;
    private transient Counter retimedEvents;
    private transient Counter unknownCluster;
    private transient long junkSeq;
    private transient ClusterMetrics metrics;
    private transient String currentKey;
    private final String idEpoch;
    private final boolean unknownClusterResultsAsDeadLetters;
    private final boolean resultsOnArrival;

    /**
     * @param emitFinalEngine in replay, when the input has ended and the engine has no work left,
     *     send the engine itself downstream, so that the end of the replay can be settled across
     *     clusters
     */
    public EngineFunction(
            Settings settings, ClusterEngine.Hypervisor hypervisor, boolean emitFinalEngine) {
        this(settings, hypervisor, emitFinalEngine, false);
    }

    /**
     * @param hostStates send the fleet view of the hosts ({@code HostStateOut}) along with the
     *     decisions, for dashboards
     */
    public EngineFunction(
            Settings settings,
            ClusterEngine.Hypervisor hypervisor,
            boolean emitFinalEngine,
            boolean hostStates) {
        this(settings, hypervisor, emitFinalEngine, hostStates, null);
    }

    /**
     * @param idEpoch the live job's run: engines made afresh (not restored) put it into their
     *     incident and command ids, so that a job started without its state never reuses an id that
     *     an earlier run sent to the connectors; null in replay
     */
    public EngineFunction(
            Settings settings,
            ClusterEngine.Hypervisor hypervisor,
            boolean emitFinalEngine,
            boolean hostStates,
            String idEpoch) {
        this(settings, hypervisor, emitFinalEngine, hostStates, idEpoch, false);
    }

    /**
     * @param unknownClusterResultsAsDeadLetters the live job: a command result for a cluster with
     *     no engine and no held input is a dead letter, not the start of an engine
     */
    public EngineFunction(
            Settings settings,
            ClusterEngine.Hypervisor hypervisor,
            boolean emitFinalEngine,
            boolean hostStates,
            String idEpoch,
            boolean unknownClusterResultsAsDeadLetters) {
        this(
                settings,
                hypervisor,
                emitFinalEngine,
                hostStates,
                idEpoch,
                unknownClusterResultsAsDeadLetters,
                false);
    }

    /**
     * @param resultsOnArrival the live job: a command result is applied as it arrives, at the
     *     current watermark, not held until the watermark passes its ts
     */
    public EngineFunction(
            Settings settings,
            ClusterEngine.Hypervisor hypervisor,
            boolean emitFinalEngine,
            boolean hostStates,
            String idEpoch,
            boolean unknownClusterResultsAsDeadLetters,
            boolean resultsOnArrival) {
        this.resultsOnArrival = resultsOnArrival;
        this.unknownClusterResultsAsDeadLetters = unknownClusterResultsAsDeadLetters;
        this.idEpoch = idEpoch;
        this.settings = settings;
        this.hypervisor = hypervisor;
        this.emitFinalEngine = emitFinalEngine;
        this.hostStates = hostStates;
    }

    @Override
    public void open(OpenContext ctx) {
        engine =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>("engine", new EngineStateSerializer()));
        pending =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>("pending", PendingSerializer.INSTANCE));
        timerAt =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("timer-at", LongSerializer.INSTANCE));
        finalSent =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "final-sent", BooleanSerializer.INSTANCE));
        endTold =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>("end-told", BooleanSerializer.INSTANCE));
        endTs =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("end-ts", LongSerializer.INSTANCE));
        emitted =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("emitted", LongSerializer.INSTANCE));
        lateEvents = getRuntimeContext().getMetricGroup().counter("lateEvents");
        retimedEvents = getRuntimeContext().getMetricGroup().counter("retimedEvents");
        metrics = new ClusterMetrics(getRuntimeContext().getMetricGroup());
        unknownCluster =
                InputJunk.counter(getRuntimeContext().getMetricGroup(), InputJunk.UNKNOWN_CLUSTER);
    }

    @Override
    public void processElement(Routed r, Context ctx, Collector<Emitted> out) throws Exception {
        currentKey = ctx.getCurrentKey();
        long watermark = ctx.timerService().currentWatermark();
        if (r.isEnd()) {
            endTs.update(r.endTs());
            // the check for "done" runs in onTimer; make sure one comes even for an idle cluster
            wakeAt(Math.max(r.endTs(), Times.plus(watermark, 1)), ctx);
            return;
        }
        Event e = r.event();
        if (unknownClusterResultsAsDeadLetters
                && e instanceof CommandResultEvent
                && engine.value() == null
                && pending.value() == null) {
            // no host record named the cluster: an engine per made-up name would be kept for ever
            unknownCluster.inc();
            out.collect(
                    InputJunk.deadLetter(
                            junkSeq++,
                            e,
                            "result for unknown cluster " + currentKey + ": not kept"));
            return;
        }
        if (resultsOnArrival
                && e instanceof CommandResultEvent result
                && watermark != Long.MIN_VALUE
                && engine.value() != null) {
            applyNow(result, watermark, ctx, out);
            return;
        }
        // A cluster seen for the first time gets the earlier sim-faults and domain readings at
        // their own instants, as the replay drivers do: nothing has run for it yet.
        boolean catchUp = r.earlier() && engine.value() == null;
        if (e.ts() <= watermark && !catchUp) {
            // Only on live streams: a recording's reader has already set late lines apart.
            Event retimed = LatePolicy.retimeOrDrop(e, Times.plus(watermark, 1));
            if (retimed != null) {
                retimedEvents.inc();
                metrics.of(currentKey).retimedEvents.inc();
                buffer(retimed, ctx);
                return;
            }
            lateEvents.inc();
            metrics.of(currentKey).lateEvents.inc();
            Sink sink = new Sink(out);
            sink.deadLetter(
                    new DeadLetterOut(
                            e.seq(),
                            "late event: "
                                    + Times.format(e.ts())
                                    + " is behind the watermark "
                                    + Times.format(watermark),
                            e.toString()));
            sink.alert(
                    new AlertOut(
                            "LATE_EVENT",
                            null,
                            null,
                            List.of(),
                            e.type() + " of " + Times.format(e.ts()),
                            watermark));
            sink.flush();
            return;
        }
        buffer(e, ctx);
    }

    /**
     * Applies a connector's result at the watermark {@code w}, now. Every timer up to {@code w} has
     * fired, so the engine has run every instant up to it that had work: {@code w} is either after
     * the last instant it ran or that instant itself, and the result joins it as a second batch.
     */
    private void applyNow(CommandResultEvent result, long w, Context ctx, Collector<Emitted> out)
            throws Exception {
        ClusterEngine eng = engine.value();
        TreeMap<Long, ArrayList<Event>> held = pending.value();
        Sink sink = new Sink(out);
        EngineDriver driver = new EngineDriver(currentKey, eng, sink);
        // nothing is held or due at or before w (their timers fired); run it all the same, so
        // that the result never comes before work of an earlier instant
        driver.runUntil(held, w);
        // its own ts, never before w: the figures' time of the move (Answers.result)
        eng.advance(w, List.of(result.ts() < w ? Events.at(result, w) : result), sink);
        sink.flush();
        engine.update(eng);
        metrics.of(currentKey).update(eng);
        if (held != null) {
            pending.update(held);
        }
        if (eng.nextDue() != Long.MAX_VALUE) {
            wakeAt(eng.nextDue(), ctx);
        }
    }

    private void buffer(Event e, Context ctx) throws Exception {
        TreeMap<Long, ArrayList<Event>> held = pending.value();
        if (held == null) {
            held = new TreeMap<>();
        }
        held.computeIfAbsent(e.ts(), k -> new ArrayList<>(4)).add(e);
        pending.update(held);
        wakeAt(e.ts(), ctx);
    }

    /** One timer at the earliest instant with work: not one per distinct event time. */
    private void wakeAt(long t, Context ctx) throws Exception {
        Long at = timerAt.value();
        if (at == null || t < at) {
            ctx.timerService().registerEventTimeTimer(t);
            timerAt.update(t);
        }
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<Emitted> out) throws Exception {
        currentKey = ctx.getCurrentKey();
        Long at = timerAt.value();
        if (at != null && at <= t) {
            timerAt.clear();
        }
        // Everything up to the watermark has arrived: run it all now, instant by instant.
        long watermark = Math.max(t, ctx.timerService().currentWatermark());
        ClusterEngine eng = engine();
        TreeMap<Long, ArrayList<Event>> held = pending.value();
        Sink sink = new Sink(out);
        Long end = endTs.value();
        // As in a replay driver: the input up to its last instant first, then the end of input,
        // then the work that comes after it (a loss after the last event never happens).
        long limit = end == null || endTold.value() != null ? watermark : Math.min(watermark, end);
        if (held != null) {
            // the instants it may run now, each in (seq, content) order
            held.headMap(watermark, true).values().forEach(atT -> atT.sort(IN_INSTANT));
        }
        EngineDriver driver = new EngineDriver(currentKey, eng, sink);
        driver.runUntil(held, limit);
        if (end != null && endTold.value() == null && watermark >= end) {
            driver.endOfInput(end);
            endTold.update(true);
            driver.runUntil(held, watermark);
        }
        sink.flush();
        engine.update(eng);
        metrics.of(currentKey).update(eng);
        if (held != null) {
            pending.update(held);
        }
        long next =
                Math.min(
                        eng.nextDue(),
                        held == null || held.isEmpty() ? Long.MAX_VALUE : held.firstKey());
        if (next != Long.MAX_VALUE) {
            ctx.timerService().registerEventTimeTimer(next);
            timerAt.update(next);
        } else if (emitFinalEngine && endTold.value() != null && finalSent.value() == null) {
            finalSent.update(true);
            out.collect(new Emitted(currentKey, nextSeq(), eng));
        }
    }

    private ClusterEngine engine() throws Exception {
        ClusterEngine eng = engine.value();
        if (eng == null) {
            // predictions come from the job's health stage (HealthStage), in front of the engines
            EngineOptions options = options(hypervisor);
            eng =
                    new ClusterEngine(
                            currentKey,
                            settings,
                            idEpoch == null ? options : options.withIdEpoch(idEpoch));
            engine.update(eng);
        }
        return eng;
    }

    /**
     * Predictions come from the job's health stage. The live job runs for months: it drops
     * incidents that ended long ago. A replay keeps them all, its summary needs every incident's
     * figures.
     */
    static EngineOptions options(ClusterEngine.Hypervisor hypervisor) {
        EngineOptions options = EngineOptions.of(hypervisor).withPredictionsFromInput();
        return hypervisor == ClusterEngine.Hypervisor.EXTERNAL
                ? options.retainingEnded(EngineOptions.DEFAULT_ENDED_RETENTION)
                : options;
    }

    private long nextSeq() throws Exception {
        Long n = emitted.value();
        long seq = n == null ? 0 : n;
        emitted.update(seq + 1);
        return seq;
    }

    /** Collects an engine's decisions, numbered in the order it took them. */
    private final class Sink implements Output {
        private final Collector<Emitted> out;
        private final List<Serializable> lines = new ArrayList<>();

        /** Incidents opened in this run: their later lines at the same instant count no more. */
        private final Set<String> opened = new HashSet<>();

        Sink(Collector<Emitted> out) {
            this.out = out;
        }

        @Override
        public void command(CommandOut command) {
            lines.add(command);
        }

        @Override
        public void result(ResultOut result) {
            if (!result.echo()) { // a connector's own result is on the results topic already
                lines.add(result);
            }
        }

        @Override
        public void incident(IncidentOut incident) {
            lines.add(incident);
            IncidentFigures f = incident.figures();
            boolean opening =
                    incident.state().equals("OPEN")
                            && f != null
                            && f.openedTs() == incident.ts()
                            && opened.add(incident.incidentId());
            metrics.of(currentKey).incident(incident, opening);
        }

        @Override
        public void alert(AlertOut alert) {
            lines.add(alert);
        }

        @Override
        public void admission(AdmissionOut admission) {
            lines.add(admission);
        }

        @Override
        public void hostState(HostStateOut state) {
            lines.add(state);
        }

        @Override
        public boolean wantsHostStates() {
            return hostStates;
        }

        void deadLetter(DeadLetterOut deadLetter) {
            lines.add(deadLetter);
            metrics.of(currentKey).deadLetters.inc();
        }

        void flush() throws Exception {
            if (lines.isEmpty()) {
                return;
            }
            Long n = emitted.value();
            long seq = n == null ? 0 : n;
            for (Serializable line : lines) {
                out.collect(new Emitted(currentKey, seq++, line));
            }
            emitted.update(seq);
        }
    }
}
