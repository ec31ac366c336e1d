package io.vmres.deploy.runtime.cluster;

/** The faults {@code vmres cluster chaos} injects, one after another, into a local cluster. */
public enum ChaosFault {
    /** {@code kill -9} of a TaskManager, then a new one in its place. */
    TASKMANAGER_KILL("kill -9 of a TaskManager, restarted"),
    /** {@code kill -9} of a Kafka broker, then the broker started again on its data. */
    BROKER_KILL("kill -9 of a Kafka broker, restarted"),
    /** A Kafka broker stopped with SIGSTOP for the pause, then SIGCONT. */
    BROKER_PAUSE("a Kafka broker paused (SIGSTOP, then SIGCONT)"),
    /** {@code kill -9} of the fleet's connector, then a new one. */
    CONNECTOR_KILL("kill -9 of the connector, restarted"),
    /**
     * {@code kill -9} of the JobManager (no HA: the job goes with it), a new JobManager, and the
     * job submitted again from its latest retained checkpoint.
     */
    JOBMANAGER_KILL("kill -9 of the JobManager, job resubmitted from its latest checkpoint");

    private final String description;

    ChaosFault(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** Its name on the command line and in reports: {@code taskmanager-kill}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
