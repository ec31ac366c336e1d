package io.vmres.job;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.event.Event;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.DeadLetterOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import io.vmres.job.types.EngineSerializer;
import io.vmres.job.types.EventSerializer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by cluster: holds the cluster's {@link ClusterEngine} and feeds it in event time. Input is
 * held until the watermark passes its instant, then handed over in (ts, seq) order, one instant
 * at a time; the engine's own work (timers, simulated answers, timeouts) is driven by event-time
 * timers at the instants it asks for. All decisions are the engine's.
 */
public class EngineFunction extends KeyedProcessFunction<String, Routed, Emitted> {
  private static final long serialVersionUID = 1L;

  private final Settings settings;
  private final ClusterEngine.Hypervisor hypervisor;
  private final boolean emitFinalEngine;

  private transient ValueState<ClusterEngine> engine;
  private transient MapState<Long, List<Event>> pending;
  private transient ValueState<Long> endTs;
  private transient ValueState<Long> emitted;
  private transient Counter lateEvents;
  private transient Counter retimedEvents;
  private transient String currentKey;

  /**
   * @param emitFinalEngine in replay, when the input has ended and the engine has no work left,
   *     send the engine itself downstream, so that the end of the replay can be settled across
   *     clusters
   */
  public EngineFunction(
      Settings settings, ClusterEngine.Hypervisor hypervisor, boolean emitFinalEngine) {
    this.settings = settings;
    this.hypervisor = hypervisor;
    this.emitFinalEngine = emitFinalEngine;
  }

  @Override
  public void open(OpenContext ctx) {
    engine = getRuntimeContext().getState(new ValueStateDescriptor<>("engine", new EngineSerializer()));
    pending =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "pending", LongSerializer.INSTANCE, new ListSerializer<>(EventSerializer.INSTANCE)));
    endTs = getRuntimeContext().getState(new ValueStateDescriptor<>("end-ts", LongSerializer.INSTANCE));
    emitted = getRuntimeContext().getState(new ValueStateDescriptor<>("emitted", LongSerializer.INSTANCE));
    lateEvents = getRuntimeContext().getMetricGroup().counter("lateEvents");
    retimedEvents = getRuntimeContext().getMetricGroup().counter("retimedEvents");
  }

  @Override
  public void processElement(Routed r, Context ctx, Collector<Emitted> out) throws Exception {
    currentKey = ctx.getCurrentKey();
    long watermark = ctx.timerService().currentWatermark();
    if (r.isEnd()) {
      endTs.update(r.endTs());
      engine().endOfInput(r.endTs());
      // the check for "done" runs in onTimer; make sure one comes even for an idle cluster
      ctx.timerService().registerEventTimeTimer(Math.max(r.endTs(), watermark + 1));
      return;
    }
    Event e = r.event();
    if (e.ts() <= watermark) {
      // Only on live streams: a recording's reader has already set late lines apart.
      Event retimed = LatePolicy.retimeOrDrop(e, watermark + 1);
      if (retimed != null) {
        retimedEvents.inc();
        buffer(retimed, ctx);
        return;
      }
      lateEvents.inc();
      Sink sink = new Sink(out);
      sink.deadLetter(new DeadLetterOut(e.seq(), "late event: " + Times.format(e.ts()) + " is behind the watermark " + Times.format(watermark), e.toString()));
      sink.alert(new AlertOut("LATE_EVENT", null, null, List.of(), e.type() + " of " + Times.format(e.ts()), watermark));
      sink.flush();
      return;
    }
    buffer(e, ctx);
  }

  private void buffer(Event e, Context ctx) throws Exception {
    List<Event> atTs = pending.get(e.ts());
    if (atTs == null) {
      atTs = new ArrayList<>(4);
      ctx.timerService().registerEventTimeTimer(e.ts());
    }
    atTs.add(e);
    pending.put(e.ts(), atTs);
  }

  @Override
  public void onTimer(long t, OnTimerContext ctx, Collector<Emitted> out) throws Exception {
    currentKey = ctx.getCurrentKey();
    ClusterEngine eng = engine();
    List<Event> events = pending.get(t);
    if (events != null) {
      pending.remove(t);
      events.sort(Comparator.comparingLong(Event::seq));
    }
    long due = eng.nextDue();
    Sink sink = new Sink(out);
    if (events != null || due <= t) {
      eng.advance(t, events == null ? List.of() : events, sink);
    }
    sink.flush();
    engine.update(eng);
    long next = eng.nextDue();
    if (next != Long.MAX_VALUE) {
      ctx.timerService().registerEventTimeTimer(Math.max(next, t + 1));
    } else if (emitFinalEngine && endTs.value() != null && pending.isEmpty()) {
      out.collect(new Emitted(currentKey, nextSeq(), eng));
    }
  }

  private ClusterEngine engine() throws Exception {
    ClusterEngine eng = engine.value();
    if (eng == null) {
      eng = new ClusterEngine(currentKey, settings, hypervisor);
      engine.update(eng);
    }
    return eng;
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

    Sink(Collector<Emitted> out) {
      this.out = out;
    }

    @Override
    public void command(CommandOut command) {
      lines.add(command);
    }

    @Override
    public void result(ResultOut result) {
      lines.add(result);
    }

    @Override
    public void incident(IncidentOut incident) {
      lines.add(incident);
    }

    @Override
    public void alert(AlertOut alert) {
      lines.add(alert);
    }

    void deadLetter(DeadLetterOut deadLetter) {
      lines.add(deadLetter);
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
