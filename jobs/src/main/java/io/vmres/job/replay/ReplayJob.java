package io.vmres.job.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.ClusterEngine;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.out.AdmissionOut;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.DeadLetterOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import io.vmres.engine.recording.RecordingReader;
import io.vmres.engine.recording.ReplayOutputs;
import io.vmres.job.Emitted;
import io.vmres.job.EngineFunction;
import io.vmres.job.Routed;
import io.vmres.job.predict.HealthStage;
import io.vmres.job.route.ClusterRouting;
import io.vmres.job.route.Hop;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Replays a recording through the production job graph (the same routing stages and engines): the
 * recording instead of Kafka, the engines' own simulated hypervisor instead of connectors, and the
 * six output files instead of topics. The same recording and settings give byte-identical files at
 * any parallelism: every cluster decides alone, and the outputs are merged by (ts, cluster, order
 * of decision).
 */
public final class ReplayJob {
    private ReplayJob() {}

    /** What a replay wrote and counted. */
    public record Result(
            String recording,
            long events,
            long deadLetters,
            long lateEvents,
            long commands,
            List<IncidentFigures> incidents) {

        /** Reads what a replay wrote into its {@code summary.json}. */
        public static Result read(Path summary) throws IOException {
            JsonNode s = new ObjectMapper().readTree(summary.toFile());
            List<IncidentFigures> incidents = new ArrayList<>();
            for (JsonNode i : s.path("incidents")) {
                List<String> hosts = new ArrayList<>();
                i.path("hosts").forEach(h -> hosts.add(h.asText()));
                long opened = Times.parse(i.path("openedTs").asText());
                Long start = start(opened, i.path("detectionS"));
                incidents.add(
                        new IncidentFigures(
                                i.path("incidentId").asText(),
                                i.path("kind").asText(),
                                hosts,
                                i.path("state").asText(),
                                opened,
                                start,
                                offset(opened, i.path("firstCommandS")),
                                offset(opened, i.path("lastCommandS")),
                                start == null ? null : offset(start, i.path("recoveryS")),
                                i.path("vmsRecovered").asInt(),
                                i.path("vmsUnplaced").asInt(),
                                i.path("vmsFailed").asInt()));
            }
            return new Result(
                    s.path("recording").asText(),
                    s.path("events").asLong(),
                    s.path("deadLetters").asLong(),
                    s.path("lateEvents").asLong(),
                    s.path("commands").asLong(),
                    incidents);
        }

        private static Long start(long opened, JsonNode detectionS) {
            return detectionS.isNumber() ? opened - Math.round(detectionS.asDouble() * 1000) : null;
        }

        private static Long offset(long from, JsonNode seconds) {
            return seconds.isNumber() ? from + Math.round(seconds.asDouble() * 1000) : null;
        }
    }

    /**
     * Runs the replay on {@code env} (a MiniCluster for a local environment) and writes the outputs
     * into {@code outDir}.
     */
    public static Result run(
            StreamExecutionEnvironment env,
            Path recording,
            Path outDir,
            Map<String, String> overrides)
            throws Exception {
        Settings settings;
        try (RecordingReader probe = RecordingReader.open(recording, overrides)) {
            settings = probe.settings(); // the meta line is read on open
        }
        build(env, recording, overrides, settings)
                .sinkTo(new ReplayFilesSink(outDir))
                .name("replay files")
                .setParallelism(1);
        env.execute("vmres replay " + recording.getFileName());
        return Result.read(outDir.resolve("summary.json"));
    }

    /** The replay's job graph, up to the decisions of every cluster. */
    public static DataStream<Emitted> build(
            StreamExecutionEnvironment env,
            Path recording,
            Map<String, String> overrides,
            Settings settings) {
        WatermarkStrategy<ReplayInput> watermarks =
                WatermarkStrategy.<ReplayInput>forBoundedOutOfOrderness(
                                Duration.ofMillis(settings.outOfOrdernessMs()))
                        .withTimestampAssigner(
                                (in, ignored) -> in.hop() == null ? Long.MIN_VALUE : in.hop().ts());
        DataStream<ReplayInput> inputs =
                env.fromSource(
                                new SingleReaderSource<>(new RecordingInputs(recording, overrides)),
                                watermarks,
                                "recording")
                        .returns(ReplayInput.TYPE)
                        .setParallelism(1);

        OutputTag<Emitted> side = new OutputTag<>("reader-lines", Emitted.TYPE);
        SingleOutputStreamOperator<Hop> events =
                inputs.process(new SplitSideLines(side))
                        .returns(Hop.TYPE)
                        .name("events")
                        .setParallelism(1);
        DataStream<Emitted> decisions =
                HealthStage.attach(ClusterRouting.route(events), settings)
                        .keyBy(Routed::cluster)
                        .process(
                                new EngineFunction(
                                        settings, ClusterEngine.Hypervisor.SIMULATED, true))
                        .returns(Emitted.TYPE)
                        .name("decide");
        return decisions.union(events.getSideOutput(side));
    }

    /** Settles the end of the replay across clusters and writes the six files. */
    static Result write(List<Emitted> lines, Path outDir) throws IOException {
        ReplayOutputs outputs = new ReplayOutputs();
        ReplayStats stats = null;
        TreeMap<String, ClusterEngine> engines = new TreeMap<>();
        List<Emitted> decided = new ArrayList<>();
        for (Emitted e : lines) {
            if (e.cluster() == null) {
                if (e.line() instanceof DeadLetterOut d) {
                    outputs.deadLetter(d);
                } else if (e.line() instanceof AlertOut a) {
                    outputs.lateEvent(a);
                } else if (e.line() instanceof ReplayStats s) {
                    stats = s;
                }
            } else if (e.line() instanceof ClusterEngine engine) {
                engines.put(e.cluster(), engine);
            } else {
                decided.add(e);
            }
        }
        if (stats == null) {
            throw new IllegalStateException("the recording reader did not finish");
        }
        decided.sort(Comparator.comparing(Emitted::cluster).thenComparingLong(Emitted::seq));
        for (Emitted e : decided) {
            feed(outputs.forCluster(e.cluster()), e.line());
        }
        Long endTs = outputs.endTs(stats.lastOnTimeTs());
        Map<String, List<IncidentFigures>> figures = new TreeMap<>();
        List<IncidentFigures> all = new ArrayList<>();
        for (Map.Entry<String, ClusterEngine> e : engines.entrySet()) {
            if (endTs != null) {
                e.getValue().giveUpAtEnd(endTs, outputs.forCluster(e.getKey()));
            }
            figures.put(e.getKey(), e.getValue().figures());
            all.addAll(e.getValue().figures());
        }
        outputs.write(outDir, stats.stats(), stats.settings(), figures, endTs);
        return new Result(
                stats.name(),
                stats.events(),
                stats.deadLetters(),
                stats.lateEvents(),
                outputs.commands().size(),
                all);
    }

    private static void feed(Output out, Object line) {
        if (line instanceof CommandOut c) {
            out.command(c);
        } else if (line instanceof ResultOut r) {
            out.result(r);
        } else if (line instanceof IncidentOut i) {
            out.incident(i);
        } else if (line instanceof AlertOut a) {
            out.alert(a);
        } else if (line instanceof AdmissionOut a) {
            out.admission(a);
        } else {
            throw new IllegalArgumentException("not a decision line: " + line.getClass().getName());
        }
    }

    /** Events go on to their cluster; the reader's own lines go aside, straight to the outputs. */
    private static final class SplitSideLines extends ProcessFunction<ReplayInput, Hop> {
        private static final long serialVersionUID = 1L;
        private final OutputTag<Emitted> side;
        private long seq;

        SplitSideLines(OutputTag<Emitted> side) {
            this.side = side;
        }

        @Override
        public void processElement(ReplayInput in, Context ctx, Collector<Hop> out) {
            if (in.hop() != null) {
                out.collect(in.hop());
            } else {
                ctx.output(side, new Emitted(null, seq++, in.side()));
            }
        }
    }
}
