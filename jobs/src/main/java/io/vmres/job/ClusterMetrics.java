package io.vmres.job;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.incident.IncidentKind;
import io.vmres.engine.out.IncidentOut;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The engines' figures as Flink metrics, under the operator's group {@code vmres}, one group per
 * cluster ({@code cluster} label) made the first time the operator sees that cluster. Gauges read
 * the figures the operator last took from its cluster's engine (after each run of it), so a
 * reporter never touches keyed state. Counters and histograms count what the engines decided since
 * the operator started: after a restart from a checkpoint, decisions made again are counted again.
 */
final class ClusterMetrics {
    /** Samples kept by each time histogram. */
    static final int HISTOGRAM_WINDOW = 1000;

    private final MetricGroup root;
    private final Map<String, PerCluster> clusters = new ConcurrentHashMap<>();

    ClusterMetrics(MetricGroup operatorGroup) {
        this.root = operatorGroup.addGroup("vmres");
    }

    /** The metrics of a cluster, registered on first use. */
    PerCluster of(String cluster) {
        return clusters.computeIfAbsent(cluster, c -> new PerCluster(root.addGroup("cluster", c)));
    }

    /** One cluster's metrics. */
    static final class PerCluster {
        private volatile Map<String, Integer> openByKind = Map.of();
        private volatile int commandsInFlight;
        private volatile int unplacedVms;
        private final Map<IncidentKind, Counter> opened = new EnumMap<>(IncidentKind.class);
        final Counter lateEvents;
        final Counter retimedEvents;
        final Counter deadLetters;
        private final Histogram detectionMs;
        private final Histogram recoveryMs;

        PerCluster(MetricGroup group) {
            for (IncidentKind kind : IncidentKind.values()) {
                MetricGroup byKind = group.addGroup("kind", kind.name());
                byKind.gauge(
                        "incidentsOpen",
                        (Gauge<Integer>) () -> openByKind.getOrDefault(kind.name(), 0));
                opened.put(kind, byKind.counter("incidentsOpened"));
            }
            group.gauge("commandsInFlight", (Gauge<Integer>) () -> commandsInFlight);
            group.gauge("unplacedVms", (Gauge<Integer>) () -> unplacedVms);
            lateEvents = group.counter("lateEvents");
            retimedEvents = group.counter("retimedEvents");
            deadLetters = group.counter("deadLetters");
            detectionMs =
                    group.histogram(
                            "detectionTimeMs",
                            new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
            recoveryMs =
                    group.histogram(
                            "recoveryTimeMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        }

        /** Takes the engine's figures after a run of it. */
        void update(ClusterEngine engine) {
            TreeMap<String, Integer> byKind = engine.openIncidentsByKind();
            openByKind = Map.copyOf(byKind);
            commandsInFlight = engine.commandsInFlight();
            unplacedVms = engine.unplacedVms();
        }

        /**
         * An incident line: its opening counts the incident and its detection time (failure start
         * to opening), its recovery (RECOVERED or PARTIAL with a VM back) the time from the failure
         * start to the last VM recovered.
         *
         * @param opening the line opens its incident (first line of it)
         */
        void incident(IncidentOut line, boolean opening) {
            IncidentFigures f = line.figures();
            if (opening) {
                opened.get(IncidentKind.valueOf(line.kind())).inc();
                if (f != null && f.failureStartTs() != null && f.failureStartTs() < f.openedTs()) {
                    detectionMs.update(f.openedTs() - f.failureStartTs());
                }
            }
            if (f != null
                    && (line.state().equals("RECOVERED") || line.state().equals("PARTIAL"))
                    && f.lastRecoveryTs() != null) {
                long from = f.failureStartTs() != null ? f.failureStartTs() : f.openedTs();
                recoveryMs.update(Math.max(0, f.lastRecoveryTs() - from));
            }
        }
    }
}
