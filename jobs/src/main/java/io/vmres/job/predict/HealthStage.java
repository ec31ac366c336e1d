package io.vmres.job.predict;

import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.detect.HealthRules;
import io.vmres.engine.event.Health;
import io.vmres.engine.event.Prediction;
import io.vmres.job.Routed;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The job's predicted-failure detection, keyed by host, in front of the cluster engines: the sample
 * rules over each host's health samples ({@link SampleRulesFunction}), and the temperature rule as
 * one-minute event-time windows (aligned to whole UTC minutes) with a CEP pattern of {@code
 * tempWindows} consecutive hot minutes. What fires reaches the engine of the host's cluster as a
 * {@link Prediction} at its instant; the engine declares the incident.
 */
public final class HealthStage {
    private HealthStage() {}

    /** The routed input with the predictions of its health samples alongside. */
    public static DataStream<Routed> attach(DataStream<Routed> routed, Settings settings) {
        DataStream<Routed> health =
                routed.filter(r -> r.event() instanceof Health)
                        .returns(Routed.TYPE)
                        .name("health samples");

        DataStream<Routed> samples =
                health.filter(r -> !"cpu_temp_c".equals(((Health) r.event()).sensor()))
                        .returns(Routed.TYPE)
                        .keyBy(r -> ((Health) r.event()).host())
                        .process(new SampleRulesFunction(settings))
                        .returns(Routed.TYPE)
                        .name("health sample rules")
                        .uid("health-sample-rules");

        DataStream<HotMinute> minutes =
                health.filter(r -> "cpu_temp_c".equals(((Health) r.event()).sensor()))
                        .returns(Routed.TYPE)
                        .keyBy(r -> ((Health) r.event()).host())
                        .window(TumblingEventTimeWindows.of(Duration.ofMillis(HealthRules.MINUTE)))
                        .aggregate(new AllHot(settings.tempThresholdC()), new ToMinute())
                        .name("temperature minutes")
                        .uid("temperature-minutes");

        DataStream<Routed> hot =
                CEP.pattern(minutes.keyBy(HotMinute::host), hotRun(settings.tempWindows()))
                        .process(new ToPrediction())
                        .returns(Routed.TYPE)
                        .name("temperature runs")
                        .uid("temperature-runs");

        return routed.union(samples, hot);
    }

    /** {@code n} hot minutes in a row: each the minute right after the one before. */
    static Pattern<HotMinute, HotMinute> hotRun(int n) {
        return Pattern.<HotMinute>begin("hot", AfterMatchSkipStrategy.noSkip())
                .where(new NextHotMinute())
                .times(n)
                .consecutive();
    }

    private static final class NextHotMinute extends IterativeCondition<HotMinute> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(HotMinute m, Context<HotMinute> ctx) throws Exception {
            if (!m.hot()) {
                return false;
            }
            HotMinute previous = null;
            for (HotMinute p : ctx.getEventsForPattern("hot")) {
                previous = p;
            }
            // a minute without samples has no record: the run is broken even though none was cold
            return previous == null || previous.start() + HealthRules.MINUTE == m.start();
        }
    }

    /** A minute's samples so far: how many, whether all are hot, and the host's cluster. */
    public static final class MinuteAcc {
        public long samples;
        public boolean allHot = true;
        public String cluster;
    }

    /** Counts a minute's samples and whether all are at or above the threshold. */
    private static final class AllHot implements AggregateFunction<Routed, MinuteAcc, MinuteAcc> {
        private static final long serialVersionUID = 1L;
        private final double threshold;

        AllHot(double threshold) {
            this.threshold = threshold;
        }

        @Override
        public MinuteAcc createAccumulator() {
            return new MinuteAcc();
        }

        @Override
        public MinuteAcc add(Routed r, MinuteAcc acc) {
            acc.samples++;
            acc.allHot &= ((Health) r.event()).value() >= threshold;
            acc.cluster = r.cluster();
            return acc;
        }

        @Override
        public MinuteAcc getResult(MinuteAcc acc) {
            return acc;
        }

        @Override
        public MinuteAcc merge(MinuteAcc a, MinuteAcc b) {
            MinuteAcc m = new MinuteAcc();
            m.samples = a.samples + b.samples;
            m.allHot = a.allHot && b.allHot;
            m.cluster = b.cluster != null ? b.cluster : a.cluster;
            return m;
        }
    }

    private static final class ToMinute
            extends ProcessWindowFunction<MinuteAcc, HotMinute, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                String host, Context ctx, Iterable<MinuteAcc> minutes, Collector<HotMinute> out) {
            for (MinuteAcc m : minutes) {
                out.collect(
                        new HotMinute(
                                host,
                                m.cluster,
                                ctx.window().getStart(),
                                m.samples > 0 && m.allHot));
            }
        }
    }

    private static final class ToPrediction extends PatternProcessFunction<HotMinute, Routed> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processMatch(
                Map<String, List<HotMinute>> match, Context ctx, Collector<Routed> out) {
            List<HotMinute> run = match.get("hot");
            HotMinute last = run.get(run.size() - 1);
            long end = Times.plus(last.start(), HealthRules.MINUTE);
            // after every input event of its instant, as the engine's own window timers are
            out.collect(
                    Routed.of(
                            last.cluster(),
                            new Prediction(
                                    end,
                                    Long.MAX_VALUE,
                                    last.host(),
                                    "cpu_temp",
                                    "cpu_temp_c",
                                    0)));
        }
    }
}
