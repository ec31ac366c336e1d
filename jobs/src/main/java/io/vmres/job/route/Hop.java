package io.vmres.job.route;

import io.vmres.engine.event.ClockSkew;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Events;
import io.vmres.engine.event.PowerDomainReading;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import io.vmres.job.types.EventSerializer;
import io.vmres.job.types.ImmutableSerializer;
import io.vmres.job.types.SerializerTypeInfo;
import java.io.IOException;
import java.util.Comparator;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A message between the routing stages ({@link ClusterRouting}): an input event on its way to the
 * stage that routes it, or what one stage tells another about a host, a VM or a cluster. {@code
 * key} is the key of the stage it goes to; it carries the (ts, seq) of the input event it stems
 * from, so that every stage can apply its messages in the order the input has them.
 *
 * @param other the previous host ({@link Kind#ARRIVE}, {@link Kind#LEAVE}), the VM's host or null
 *     ({@link Kind#REMOVED}), or a cluster ({@link Kind#ARRIVED_IN}, {@link Kind#LEFT_FROM}, {@link
 *     Kind#APPEAR})
 * @param endTs the latest on-time event time, for {@link Kind#END}
 */
public record Hop(Kind kind, String key, Event event, String other, long endTs) {
    public static final TypeInformation<Hop> TYPE =
            SerializerTypeInfo.of(Hop.class, () -> Serializer.INSTANCE);

    /** The key of the fleet-wide stage: there is one fleet. */
    public static final String FLEET = "fleet";

    /** What a message is; the order is the order of messages of the same (ts, seq). */
    public enum Kind {
        /** An input event, not routed yet. */
        EVENT,
        /** To the VM's new host: a VM record, with the host it was on before (or null). */
        ARRIVE,
        /** To the VM's previous host: the VM record that moves it to another host. */
        LEAVE,
        /** To the VM's last host: the VM is gone. */
        REMOVED,
        /** To the VM: the cluster its new host is in, when the VM changed host. */
        ARRIVED_IN,
        /** To the VM: the cluster its previous host is in, when the VM changed host. */
        LEFT_FROM,
        /** To the fleet: a cluster gets an event, maybe its first. */
        APPEAR,
        /** To the fleet: the input has ended. */
        END
    }

    /**
     * Order of messages within one instant: by the input's seq, then kind, then content; a {@link
     * ClockSkew} note after the event it speaks of (same seq), as the reader puts it, so that it
     * goes where a host record it follows has just sent the host.
     */
    public static final Comparator<Hop> IN_INSTANT =
            Comparator.comparingLong((Hop h) -> h.seq())
                    .thenComparing(Hop::kind)
                    .thenComparing(h -> h.event() instanceof ClockSkew)
                    .thenComparing(h -> String.valueOf(h.event()))
                    .thenComparing(h -> String.valueOf(h.other()));

    /** An input event, keyed for the stage that routes it. */
    public static Hop event(Event e) {
        return new Hop(Kind.EVENT, inputKey(e), e, null, Long.MIN_VALUE);
    }

    /** The end of the input at {@code endTs}, the latest on-time event time. */
    public static Hop end(long endTs) {
        return new Hop(Kind.END, FLEET, null, null, endTs);
    }

    static Hop arrive(VmEvent v, String previousHost) {
        return new Hop(Kind.ARRIVE, v.host(), v, previousHost, Long.MIN_VALUE);
    }

    static Hop leave(VmEvent v, String previousHost) {
        return new Hop(Kind.LEAVE, previousHost, v, previousHost, Long.MIN_VALUE);
    }

    /** A VM without a known host goes to the key "" (a host no record names has no cluster). */
    static Hop removed(VmRemoved r, String host) {
        return new Hop(Kind.REMOVED, host == null ? "" : host, r, host, Long.MIN_VALUE);
    }

    static Hop arrivedIn(VmEvent v, String cluster) {
        return new Hop(Kind.ARRIVED_IN, v.vm(), v, cluster, Long.MIN_VALUE);
    }

    static Hop leftFrom(VmEvent v, String cluster) {
        return new Hop(Kind.LEFT_FROM, v.vm(), v, cluster, Long.MIN_VALUE);
    }

    static Hop appear(String cluster, Event at) {
        return new Hop(Kind.APPEAR, FLEET, at, cluster, Long.MIN_VALUE);
    }

    /** The event time of the message: its input event's, or the end's. */
    public long ts() {
        return event == null ? endTs : event.ts();
    }

    /** The place within its instant: its input event's seq; the end comes after all. */
    public long seq() {
        return event == null ? Long.MAX_VALUE : event.seq();
    }

    /** Which stage routes an input event: by VM, fleet-wide, or by host. */
    static String inputKey(Event e) {
        if (e instanceof VmEvent v) {
            return v.vm();
        } else if (e instanceof VmRemoved v) {
            return v.vm();
        } else if (e instanceof SimFault || e instanceof PowerDomainReading) {
            return FLEET;
        }
        return hostOf(e);
    }

    /** Whether the VM stage routes the input event first. */
    boolean isVmInput() {
        return kind == Kind.EVENT && (event instanceof VmEvent || event instanceof VmRemoved);
    }

    /** Whether the fleet-wide stage routes the message. */
    boolean isFleetWide() {
        return kind == Kind.END
                || kind == Kind.APPEAR
                || (kind == Kind.EVENT
                        && (event instanceof SimFault || event instanceof PowerDomainReading));
    }

    /** The host an event of the host stage concerns (telemetry, requests, records, notes). */
    static String hostOf(Event e) {
        String host = Events.source(e);
        if (host == null) {
            throw new IllegalArgumentException("no route for event type " + e.type());
        }
        return host;
    }

    /** Binary form: kind, key, the other name, the event or the end time. */
    public static final class Serializer extends ImmutableSerializer<Hop> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();
        private static final Kind[] KINDS = Kind.values();

        @Override
        public void serialize(Hop h, DataOutputView out) throws IOException {
            out.writeByte(h.kind.ordinal());
            out.writeUTF(h.key);
            out.writeBoolean(h.other != null);
            if (h.other != null) {
                out.writeUTF(h.other);
            }
            out.writeBoolean(h.event != null);
            if (h.event != null) {
                EventSerializer.INSTANCE.serialize(h.event, out);
            } else {
                out.writeLong(h.endTs);
            }
        }

        @Override
        public Hop deserialize(DataInputView in) throws IOException {
            Kind kind = KINDS[in.readByte()];
            String key = in.readUTF();
            String other = in.readBoolean() ? in.readUTF() : null;
            if (in.readBoolean()) {
                return new Hop(
                        kind, key, EventSerializer.INSTANCE.deserialize(in), other, Long.MIN_VALUE);
            }
            return new Hop(kind, key, null, other, in.readLong());
        }

        @Override
        public TypeSerializerSnapshot<Hop> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Snapshot of a serializer without configuration. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<Hop> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
