package io.vmres.job;

import io.vmres.engine.event.Event;
import io.vmres.schema.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Input of the live job that reaches no engine: bad records, telemetry and requests of hosts in no
 * cluster, results naming a cluster no host record named. Each becomes one dead-letter record and
 * counts in the operator's metric group {@code vmres_input}, so that junk never grows state.
 */
public final class InputJunk {
    private InputJunk() {}

    /** Undecodable or invalid records (the entry of the routing). */
    public static final String DEAD_LETTERS = "deadLetters";

    /** Telemetry, requests and removals of hosts or VMs in no cluster (routing by host). */
    public static final String UNKNOWN_HOST = "unknownHost";

    /** Command results naming a cluster that no host record named (the engines). */
    public static final String UNKNOWN_CLUSTER = "unknownCluster";

    /** The counter {@code name} of the operator's group {@code vmres_input}. */
    public static Counter counter(MetricGroup operator, String name) {
        return operator.addGroup("vmres_input").counter(name);
    }

    /** The dead-letter record of an event that is not kept, as the job's {@code seq}-th. */
    public static Emitted deadLetter(long seq, Event e, String reason) {
        return new Emitted(
                null,
                seq,
                DeadLetters.of(
                        "route",
                        null,
                        reason,
                        e.toString().getBytes(StandardCharsets.UTF_8),
                        Instant.ofEpochMilli(Math.max(0, e.ts()))));
    }
}
