package io.vmres.engine.recording;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.execute.CommandStatus;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.DeadLetterOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Collects the output lines of many cluster engines and of the recording reader, and writes the
 * replay's six files. Lines of the {@code .jsonl} files are merged by (ts, cluster, order of
 * emission), so the files are byte-identical whatever order the clusters ran in; {@code LATE_EVENT}
 * alerts come before engine alerts of the same ts; dead letters stay in line order.
 */
public final class ReplayOutputs {
    /** The replay's output files, in the order they are written. */
    public static final List<String> FILES =
            List.of(
                    "commands.jsonl",
                    "results.jsonl",
                    "incidents.jsonl",
                    "alerts.jsonl",
                    "dead-letter.jsonl",
                    "summary.json");

    /** Reader lines (late-event alerts) sort before every cluster's lines of the same ts. */
    private static final int READER_RANK = 0;

    private static final int ENGINE_RANK = 1;

    private final Map<String, ClusterOutput> clusters = new HashMap<>();
    private final List<Line<AlertOut>> lateAlerts = new ArrayList<>();
    private final List<DeadLetterOut> deadLetters = new ArrayList<>();

    /** The output of one cluster's engine: the same object for the same key. */
    public Output forCluster(String cluster) {
        return clusters.computeIfAbsent(cluster, ClusterOutput::new);
    }

    /**
     * Records a reader's item: a bad line's dead letter, or a late line's dead letter and alert.
     */
    public void accept(RecordingReader.Item item) {
        if (item instanceof RecordingReader.BadLine b) {
            deadLetter(b.deadLetter());
        } else if (item instanceof RecordingReader.LateLine l) {
            deadLetter(l.deadLetter());
            lateEvent(l.alert());
        }
    }

    /** A rejected line, in any order: the file lists them in line order. */
    public void deadLetter(DeadLetterOut d) {
        deadLetters.add(d);
    }

    /** A {@code LATE_EVENT} alert from the reader. */
    public void lateEvent(AlertOut alert) {
        lateAlerts.add(new Line<>(alert, alert.ts(), READER_RANK, "", lateAlerts.size()));
    }

    /** Every command, merged across clusters. */
    public List<CommandOut> commands() {
        return merge(c -> c.commands, List.of());
    }

    /** Every result, merged across clusters. */
    public List<ResultOut> results() {
        return merge(c -> c.results, List.of());
    }

    /** Every incident line, merged across clusters. */
    public List<IncidentOut> incidents() {
        return merge(c -> c.incidents, List.of());
    }

    /** Every alert, the reader's late-event alerts included, merged across clusters. */
    public List<AlertOut> alerts() {
        return merge(c -> c.alerts, lateAlerts);
    }

    /** Every dead letter, in line order. */
    public List<DeadLetterOut> deadLetters() {
        List<DeadLetterOut> sorted = new ArrayList<>(deadLetters);
        sorted.sort(Comparator.comparingLong(DeadLetterOut::line));
        return sorted;
    }

    /**
     * The replay's end time: the later of the last on-time event's ts and the latest ts of any
     * command, result, incident or alert line so far; null when there is neither.
     */
    public Long endTs(Long lastOnTimeTs) {
        long end = lastOnTimeTs == null ? Long.MIN_VALUE : lastOnTimeTs;
        for (ClusterOutput c : clusters.values()) {
            end = Math.max(end, c.latestTs);
        }
        for (Line<AlertOut> a : lateAlerts) {
            end = Math.max(end, a.ts);
        }
        return end == Long.MIN_VALUE ? null : end;
    }

    /**
     * Writes the six files into {@code dir} (created if needed).
     *
     * @param figures each cluster's incident figures, as its engine gives them
     * @param endTs the replay's end time (see {@link #endTs}), or null
     */
    public void write(
            Path dir,
            RecordingStats stats,
            Settings settings,
            Map<String, List<IncidentFigures>> figures,
            Long endTs)
            throws IOException {
        Files.createDirectories(dir);
        List<ResultOut> results = results();
        writeLines(dir.resolve("commands.jsonl"), commands());
        writeLines(dir.resolve("results.jsonl"), results);
        writeLines(dir.resolve("incidents.jsonl"), incidents());
        writeLines(dir.resolve("alerts.jsonl"), alerts());
        writeLines(dir.resolve("dead-letter.jsonl"), deadLetters());
        ObjectNode summary = summary(stats, settings, figures, endTs);
        try (Writer w =
                Files.newBufferedWriter(dir.resolve("summary.json"), StandardCharsets.UTF_8)) {
            w.write(Json.MAPPER.writer(SUMMARY_STYLE).writeValueAsString(summary));
            w.write('\n');
        }
    }

    /** The spec's {@code summary.json}, plus the effective settings, line count and end time. */
    public ObjectNode summary(
            RecordingStats stats,
            Settings settings,
            Map<String, List<IncidentFigures>> figures,
            Long endTs) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode s = f.objectNode();
        s.put("recording", stats.name());
        s.set("settings", SettingsParser.toJson(settings));
        s.put("lines", stats.lines());
        s.put("events", stats.events());
        s.put("deadLetters", deadLetters.size());
        s.put("lateEvents", stats.lateEvents());
        s.put("commands", commandCount());
        s.put(
                "commandsFailed",
                results().stream()
                        .filter(r -> CommandStatus.valueOf(r.status()) != CommandStatus.SUCCEEDED)
                        .count());
        s.put("endTs", endTs == null ? null : Times.format(endTs));
        ArrayNode incidents = s.putArray("incidents");
        long recovered = 0;
        long unplaced = 0;
        long failed = 0;
        for (IncidentFigures x : orderedFigures(figures)) {
            incidents.add(incident(x));
            recovered += x.vmsRecovered();
            unplaced += x.vmsUnplaced();
            failed += x.vmsFailed();
        }
        s.put("vmsRecovered", recovered);
        s.put("vmsUnplaced", unplaced);
        s.put("vmsFailed", failed);
        return s;
    }

    private long commandCount() {
        long n = 0;
        for (ClusterOutput c : clusters.values()) {
            n += c.commands.size();
        }
        return n;
    }

    /** Incidents by opening time, then cluster, then the engine's own order. */
    private static List<IncidentFigures> orderedFigures(
            Map<String, List<IncidentFigures>> figures) {
        List<Line<IncidentFigures>> all = new ArrayList<>();
        for (Map.Entry<String, List<IncidentFigures>> e : new TreeMap<>(figures).entrySet()) {
            List<IncidentFigures> list = e.getValue();
            for (int i = 0; i < list.size(); i++) {
                all.add(
                        new Line<>(
                                list.get(i), list.get(i).openedTs(), ENGINE_RANK, e.getKey(), i));
            }
        }
        all.sort(Line.ORDER);
        return all.stream().map(l -> l.value).toList();
    }

    /** An incident's object of {@code summary.json}: its figures, times in seconds. */
    public static ObjectNode summaryOf(IncidentFigures x) {
        return incident(x);
    }

    private static ObjectNode incident(IncidentFigures x) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("incidentId", x.incidentId());
        o.put("kind", x.kind());
        ArrayNode hosts = o.putArray("hosts");
        x.hosts().forEach(hosts::add);
        o.put("state", x.state());
        o.put("openedTs", Times.format(x.openedTs()));
        // Without a heartbeat to measure from, failure starts at the opening (detection 0).
        long start = x.failureStartTs() == null ? x.openedTs() : x.failureStartTs();
        o.put("detectionS", seconds(x.openedTs() - start));
        o.put(
                "firstCommandS",
                x.firstCommandTs() == null ? null : seconds(x.firstCommandTs() - x.openedTs()));
        o.put(
                "lastCommandS",
                x.lastCommandTs() == null ? null : seconds(x.lastCommandTs() - x.openedTs()));
        o.put("recoveryS", x.lastRecoveryTs() == null ? null : seconds(x.lastRecoveryTs() - start));
        o.put("vmsRecovered", x.vmsRecovered());
        o.put("vmsUnplaced", x.vmsUnplaced());
        o.put("vmsFailed", x.vmsFailed());
        return o;
    }

    /** Milliseconds as seconds with exactly three decimals. */
    private static BigDecimal seconds(long ms) {
        return BigDecimal.valueOf(ms, 3);
    }

    private <T> List<T> merge(
            java.util.function.Function<ClusterOutput, List<Line<T>>> of, List<Line<T>> extra) {
        List<Line<T>> all = new ArrayList<>(extra);
        for (ClusterOutput c : clusters.values()) {
            all.addAll(of.apply(c));
        }
        all.sort(Line.ORDER);
        List<T> out = new ArrayList<>(all.size());
        for (Line<T> l : all) {
            out.add(l.value);
        }
        return out;
    }

    private static void writeLines(Path file, List<?> values) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Object v : values) {
                w.write(Json.COMPACT.writeValueAsString(v));
                w.write('\n');
            }
        }
    }

    /** One-space indents and {@code "key": value}, as summary.json files are shown in the docs. */
    private static final DefaultPrettyPrinter SUMMARY_STYLE =
            new DefaultPrettyPrinter()
                    .withObjectIndenter(new DefaultIndenter(" ", "\n"))
                    .withArrayIndenter(new DefaultIndenter(" ", "\n"))
                    .withSeparators(
                            Separators.createDefaultInstance()
                                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                                    .withArrayEmptySeparator("")
                                    .withObjectEmptySeparator(""));

    /** A line with what orders it among the lines of every cluster. */
    private record Line<T>(T value, long ts, int rank, String cluster, long order) {
        static final Comparator<Line<?>> ORDER =
                Comparator.<Line<?>>comparingLong(Line::ts)
                        .thenComparingInt(Line::rank)
                        .thenComparing(Line::cluster)
                        .thenComparingLong(Line::order);
    }

    /** One cluster's lines in the order its engine emitted them. */
    private static final class ClusterOutput implements Output {
        private final String cluster;
        private final List<Line<CommandOut>> commands = new ArrayList<>();
        private final List<Line<ResultOut>> results = new ArrayList<>();
        private final List<Line<IncidentOut>> incidents = new ArrayList<>();
        private final List<Line<AlertOut>> alerts = new ArrayList<>();
        private long emitted;
        private long latestTs = Long.MIN_VALUE;

        ClusterOutput(String cluster) {
            this.cluster = cluster;
        }

        private <T> void add(List<Line<T>> to, T value, ToLongFunction<T> ts) {
            long t = ts.applyAsLong(value);
            latestTs = Math.max(latestTs, t);
            to.add(new Line<>(value, t, ENGINE_RANK, cluster, emitted++));
        }

        @Override
        public void command(CommandOut command) {
            add(commands, command, CommandOut::ts);
        }

        @Override
        public void result(ResultOut result) {
            add(results, result, ResultOut::ts);
        }

        @Override
        public void incident(IncidentOut incident) {
            add(incidents, incident, IncidentOut::ts);
        }

        @Override
        public void alert(AlertOut alert) {
            add(alerts, alert, AlertOut::ts);
        }
    }
}
