package io.vmres.engine.event;

import java.io.Serializable;

/**
 * An input event of the pipeline, as the spec's input table defines it. {@code ts} is event time in
 * epoch milliseconds; {@code seq} orders events of equal {@code ts} (the line number in a
 * recording, an arrival sequence on Kafka).
 */
public sealed interface Event extends Serializable
        permits HostEvent,
                HostRemoved,
                VmEvent,
                VmRemoved,
                Heartbeat,
                Power,
                PowerDomainReading,
                Health,
                Maintenance,
                MaintenanceEnd,
                OperatorConfirm,
                SimFault,
                CommandResultEvent,
                Prediction,
                ClockSkew,
                TelemetryStall {
    long ts();

    long seq();

    /** The spec's {@code type} name of this event. */
    String type();
}
