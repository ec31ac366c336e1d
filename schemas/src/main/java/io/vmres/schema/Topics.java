package io.vmres.schema;

import java.util.List;

/**
 * The Kafka topics of vmres, their record types and keys. Every value is Avro single-object encoded
 * ({@link AvroCodec}); the key is the UTF-8 id named below, so that one host's (or one cluster's)
 * records stay in order in one partition.
 */
public final class Topics {
    /** {@link Heartbeat}, keyed by host. */
    public static final String HEARTBEAT = "vmres.telemetry.heartbeat";

    /**
     * {@link Power} readings of hosts' BMCs, keyed by host, and {@link PowerDomain} readings of the
     * power infrastructure, keyed by power domain: both are proof of power, read by one consumer.
     */
    public static final String POWER = "vmres.telemetry.power";

    /** {@link Health}, keyed by host. */
    public static final String HEALTH = "vmres.telemetry.health";

    /**
     * {@link Host}, {@link HostRemoved}, {@link Vm}, {@link VmRemoved}. Host records and VM records
     * are keyed by host (a VM's by the host it is placed on), so that a host's record precedes its
     * VMs in one partition; {@link VmRemoved} by VM.
     */
    public static final String INVENTORY = "vmres.inventory";

    /** {@link Maintenance}, {@link MaintenanceEnd}, {@link OperatorConfirm}, keyed by host. */
    public static final String REQUESTS = "vmres.requests";

    /** {@link Command}, keyed by target host (the host for a fence). */
    public static final String COMMANDS = "vmres.commands";

    /** {@link CommandResult}, keyed by cluster. */
    public static final String COMMAND_RESULTS = "vmres.command-results";

    /** {@link Incident}, keyed by incident id. */
    public static final String INCIDENTS = "vmres.incidents";

    /** {@link Alert}, keyed by cluster. */
    public static final String ALERTS = "vmres.alerts";

    /** {@link HostState}, keyed by host. */
    public static final String FLEET_STATE = "vmres.fleet-state";

    /**
     * The connector service's durable ledger of the commands it started and answered (JSON, not
     * Avro; compacted), keyed by command id. Read back by the connector at start.
     */
    public static final String CONNECTOR_LEDGER = "vmres.connector-ledger";

    /** {@link DeadLetter}, keyed by the source topic. */
    public static final String DEAD_LETTER = "vmres.dead-letter";

    /** The job's inputs. */
    public static final List<String> INPUTS =
            List.of(HEARTBEAT, POWER, HEALTH, INVENTORY, REQUESTS);

    /** Every topic, in creation order. */
    public static final List<String> ALL =
            List.of(
                    HEARTBEAT,
                    POWER,
                    HEALTH,
                    INVENTORY,
                    REQUESTS,
                    COMMANDS,
                    COMMAND_RESULTS,
                    INCIDENTS,
                    ALERTS,
                    FLEET_STATE,
                    DEAD_LETTER);

    /** The record types each input topic carries (command results included). */
    private static final java.util.Map<String, java.util.Set<Class<?>>> CARRIED =
            java.util.Map.of(
                    HEARTBEAT, java.util.Set.of(Heartbeat.class),
                    POWER, java.util.Set.of(Power.class, PowerDomain.class),
                    HEALTH, java.util.Set.of(Health.class),
                    INVENTORY,
                            java.util.Set.of(
                                    Host.class, HostRemoved.class, Vm.class, VmRemoved.class),
                    REQUESTS,
                            java.util.Set.of(
                                    Maintenance.class, MaintenanceEnd.class, OperatorConfirm.class),
                    COMMAND_RESULTS, java.util.Set.of(CommandResult.class));

    /**
     * Whether {@code topic} carries records of this type: a record on another topic than its own is
     * refused, so that whoever may write one topic (a host its heartbeats) cannot write what
     * another topic's writers alone may (inventory, requests). A topic not listed carries nothing.
     */
    public static boolean carries(String topic, Object record) {
        return record != null
                && CARRIED.getOrDefault(topic, java.util.Set.of()).contains(record.getClass());
    }

    private Topics() {}
}
