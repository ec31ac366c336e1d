package io.vmres.job.predict;

import io.vmres.engine.Settings;
import io.vmres.engine.detect.HealthRules;
import io.vmres.engine.event.Health;
import io.vmres.engine.event.Prediction;
import io.vmres.job.Routed;
import io.vmres.job.types.JavaSerializer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by host: the sample rules of predicted failure (vendor alert, uncorrectable and windowed
 * correctable ECC, PSU with fans, SMART growth) over the host's health samples, applied in event
 * time order once the watermark has passed them. The rules themselves are {@link HealthRules}.
 */
public class SampleRulesFunction extends KeyedProcessFunction<String, Routed, Routed> {
    private static final long serialVersionUID = 1L;

    private final Settings settings;
    private transient ValueState<HealthRules> rules;
    private transient MapState<Long, List<Routed>> pending;

    public SampleRulesFunction(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) {
        rules =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("rules", new RulesSerializer()));
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending",
                                        LongSerializer.INSTANCE,
                                        new ListSerializer<>(Routed.Serializer.INSTANCE)));
    }

    @Override
    public void processElement(Routed r, Context ctx, Collector<Routed> out) throws Exception {
        long ts = r.event().ts();
        List<Routed> at = pending.get(ts);
        if (at == null) {
            at = new ArrayList<>(2);
            ctx.timerService().registerEventTimeTimer(ts);
        }
        at.add(r);
        pending.put(ts, at);
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<Routed> out) throws Exception {
        List<Routed> at = pending.get(t);
        if (at == null) {
            return;
        }
        pending.remove(t);
        at.sort(Comparator.comparingLong(r -> r.event().seq()));
        HealthRules host = rules.value();
        if (host == null) {
            host = new HealthRules();
        }
        for (Routed r : at) {
            Health h = (Health) r.event();
            String rule = host.sample(h, settings);
            if (rule != null) {
                out.collect(
                        Routed.of(
                                r.cluster(),
                                new Prediction(
                                        h.ts(), h.seq(), h.host(), rule, h.sensor(), h.value())));
            }
        }
        rules.update(host);
    }

    /** Checkpoints a host's rule state with Java serialization. */
    public static final class RulesSerializer extends JavaSerializer<HealthRules> {
        private static final long serialVersionUID = 1L;

        public RulesSerializer() {
            super(HealthRules.class);
        }

        @Override
        public TypeSerializerSnapshot<HealthRules> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Snapshot of a serializer without configuration. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<HealthRules> {
            public Snapshot() {
                super(RulesSerializer::new);
            }
        }
    }
}
