package io.vmres.deploy.metrics;

/** The names Flink's Prometheus reporter gives the job's metrics (see docs/operations.md). */
final class JobMetrics {
    private JobMetrics() {}

    static final String PREFIX = "flink_taskmanager_job_task_operator_vmres_cluster_";
    static final String INCIDENTS_OPENED = PREFIX + "kind_incidentsOpened";
    static final String INCIDENTS_OPEN = PREFIX + "kind_incidentsOpen";
    static final String DETECTION_TIME = PREFIX + "detectionTimeMs";
    static final String RECOVERY_TIME = PREFIX + "recoveryTimeMs";
}
