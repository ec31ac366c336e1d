package io.vmres.job.live;

import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Health;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.HostRemoved;
import io.vmres.engine.event.Maintenance;
import io.vmres.engine.event.MaintenanceEnd;
import io.vmres.engine.event.OperatorConfirm;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.PowerDomainReading;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import io.vmres.engine.recording.EventParser;
import io.vmres.schema.CommandResult;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns a decoded Avro record from Kafka into an engine event, with the same field rules as a
 * recording line (the spec's Validation section): a record that breaks one is bad input.
 */
public final class AvroEvents {
    private AvroEvents() {}

    /** A record that decodes but holds a value the spec forbids; the message is the reason. */
    public static final class InvalidEventException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidEventException(String reason) {
            super(reason);
        }
    }

    /**
     * @param seq the event's place among events of equal time (its arrival order)
     */
    public static Event toEvent(SpecificRecord record, long seq) throws InvalidEventException {
        if (record instanceof io.vmres.schema.Heartbeat h) {
            return new Heartbeat(
                    ts(h.getTs()), seq, text("host", h.getHost()), h.getChannel().name());
        } else if (record instanceof io.vmres.schema.Power p) {
            return new Power(ts(p.getTs()), seq, text("host", p.getHost()), p.getState().name());
        } else if (record instanceof io.vmres.schema.PowerDomain p) {
            return new PowerDomainReading(
                    ts(p.getTs()),
                    seq,
                    text("powerDomain", p.getPowerDomain()),
                    p.getState().name(),
                    optText("source", p.getSource()));
        } else if (record instanceof io.vmres.schema.Health h) {
            return new Health(
                    ts(h.getTs()),
                    seq,
                    text("host", h.getHost()),
                    text("sensor", h.getSensor()),
                    number("value", h.getValue()),
                    optText("component", h.getComponent()));
        } else if (record instanceof io.vmres.schema.Host h) {
            return new HostEvent(
                    ts(h.getTs()),
                    seq,
                    text("host", h.getHost()),
                    text("cluster", h.getCluster()),
                    nonNegative("cpu", h.getCpu()),
                    nonNegative("memMb", h.getMemMb()),
                    optText("rack", h.getRack()),
                    optText("powerDomain", h.getPowerDomain()),
                    text("hypervisor", h.getHypervisor()),
                    texts("storageDomains", h.getStorageDomains()),
                    h.getSpare(),
                    h.getBmc());
        } else if (record instanceof io.vmres.schema.HostRemoved h) {
            return new HostRemoved(ts(h.getTs()), seq, text("host", h.getHost()));
        } else if (record instanceof io.vmres.schema.Vm v) {
            if (v.getPriority() < 0 || v.getPriority() > 1000) {
                throw new InvalidEventException(
                        "bad priority: " + v.getPriority() + " is not in 0..1000");
            }
            return new VmEvent(
                    ts(v.getTs()),
                    seq,
                    text("vm", v.getVm()),
                    text("host", v.getHost()),
                    nonNegative("cpu", v.getCpu()),
                    nonNegative("memMb", v.getMemMb()),
                    v.getPriority(),
                    v.getHa(),
                    optText("antiAffinityGroup", v.getAntiAffinityGroup()),
                    optText("storageDomain", v.getStorageDomain()),
                    texts("disks", v.getDisks()),
                    texts("dependsOn", v.getDependsOn()));
        } else if (record instanceof io.vmres.schema.VmRemoved v) {
            return new VmRemoved(ts(v.getTs()), seq, text("vm", v.getVm()));
        } else if (record instanceof io.vmres.schema.Maintenance m) {
            return new Maintenance(
                    ts(m.getTs()),
                    seq,
                    text("host", m.getHost()),
                    ts(m.getDeadline()),
                    optFreeText("reason", m.getReason()),
                    optFreeText("requestedBy", m.getRequestedBy()));
        } else if (record instanceof io.vmres.schema.MaintenanceEnd m) {
            return new MaintenanceEnd(ts(m.getTs()), seq, text("host", m.getHost()));
        } else if (record instanceof io.vmres.schema.OperatorConfirm c) {
            return new OperatorConfirm(
                    ts(c.getTs()),
                    seq,
                    text("host", c.getHost()),
                    optFreeText("requestedBy", c.getRequestedBy()),
                    optFreeText("reason", c.getReason()));
        } else if (record instanceof CommandResult r) {
            return new CommandResultEvent(
                    ts(r.getTs()),
                    seq,
                    text("commandId", r.getCommandId()),
                    r.getStatus().name(),
                    r.getDetail() == null ? null : bounded("detail", r.getDetail(), MAX_TEXT));
        }
        throw new InvalidEventException(
                "a " + record.getSchema().getName() + " record is not an input of the job");
    }

    /** The spec's ts grammar: years 0001 to 9999. */
    private static final long MIN_TS = Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();

    private static final long MAX_TS = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    private static final int MAX_ID = EventParser.MAX_ID_CHARS;
    private static final int MAX_TEXT = EventParser.MAX_TEXT_CHARS;

    private static long ts(Instant ts) throws InvalidEventException {
        if (ts == null) {
            throw new InvalidEventException("missing ts");
        }
        long ms = ts.toEpochMilli();
        if (ms < MIN_TS || ms > MAX_TS) {
            // out of the spec's years; such a time would also overflow every timer set after it
            throw new InvalidEventException("bad ts: " + ms + " ms is not in the years 0001..9999");
        }
        return ms;
    }

    /** An identifier: non-empty, at most 256 characters (the spec's Bounds). */
    private static String text(String field, String value) throws InvalidEventException {
        if (value == null || value.isEmpty()) {
            throw new InvalidEventException("bad " + field + ": must be a non-empty string");
        }
        return bounded(field, value, MAX_ID);
    }

    /** A free text: non-empty, at most 4,096 characters. */
    private static String optFreeText(String field, String value) throws InvalidEventException {
        if (value == null) {
            return null;
        }
        if (value.isEmpty()) {
            throw new InvalidEventException("bad " + field + ": must be a non-empty string");
        }
        return bounded(field, value, MAX_TEXT);
    }

    private static String bounded(String field, String value, int max)
            throws InvalidEventException {
        if (value.length() > max && value.codePointCount(0, value.length()) > max) {
            throw new InvalidEventException(
                    "bad " + field + ": longer than " + max + " characters");
        }
        return value;
    }

    private static String optText(String field, String value) throws InvalidEventException {
        return value == null ? null : text(field, value);
    }

    private static List<String> texts(String field, List<String> values)
            throws InvalidEventException {
        if (values == null) {
            return null;
        }
        for (String v : values) {
            if (v == null || v.isEmpty()) {
                throw new InvalidEventException("bad " + field + ": must be a non-empty string");
            }
            if (v.length() > MAX_ID && v.codePointCount(0, v.length()) > MAX_ID) {
                throw new InvalidEventException(
                        "bad " + field + ": an item longer than " + MAX_ID + " characters");
            }
        }
        return List.copyOf(values);
    }

    private static double number(String field, double value) throws InvalidEventException {
        if (!Double.isFinite(value)) {
            throw new InvalidEventException("bad " + field + ": not a finite number");
        }
        return value;
    }

    private static double nonNegative(String field, double value) throws InvalidEventException {
        if (number(field, value) < 0) {
            throw new InvalidEventException("bad " + field + ": negative");
        }
        return value;
    }
}
