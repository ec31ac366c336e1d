package io.vmres.deploy.metrics;

import java.util.List;

/**
 * The names Flink's Prometheus reporter gives the job's own metrics (docs/operations.md, section
 * Metrics): {@code PrometheusITCase} finds every one in a real Prometheus, the dashboard's test
 * checks its queries against them.
 */
final class JobMetrics {
    private JobMetrics() {}

    static final String PREFIX = "flink_taskmanager_job_task_operator_vmres_cluster_";
    static final String INCIDENTS_OPENED = PREFIX + "kind_incidentsOpened";
    static final String INCIDENTS_OPEN = PREFIX + "kind_incidentsOpen";
    static final String DETECTION_TIME = PREFIX + "detectionTimeMs";
    static final String RECOVERY_TIME = PREFIX + "recoveryTimeMs";

    /** Every series name the job exports (histograms: quantiles and a count). */
    static final List<String> ALL =
            List.of(
                    INCIDENTS_OPEN,
                    INCIDENTS_OPENED,
                    PREFIX + "commandsInFlight",
                    PREFIX + "unplacedVms",
                    PREFIX + "deadLetters",
                    PREFIX + "lateEvents",
                    PREFIX + "retimedEvents",
                    DETECTION_TIME,
                    DETECTION_TIME + "_count",
                    RECOVERY_TIME,
                    RECOVERY_TIME + "_count");
}
