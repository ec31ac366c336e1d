package io.vmres.engine.event;

/**
 * Not an input of the spec's table: the pipeline's own note that an event of {@code host} was
 * stamped {@code claimedTs} and took its arrival time {@code ts} instead (the spec's Wrong clocks).
 * The reader of a recording and the live decoder put it right after the event it speaks of, with
 * the same ts and seq; the cluster's engine tells the operator with a {@code CLOCK_SKEW} alert,
 * once per host per hour of event time. It changes no decision.
 */
public record ClockSkew(long ts, long seq, String host, long claimedTs) implements Event {
    @Override
    public String type() {
        return "clock-skew";
    }

    /** The note for {@code retimed}, stamped {@code claimedTs} by its source; null without one. */
    public static ClockSkew of(Event retimed, long claimedTs) {
        String host = Events.source(retimed);
        return host == null ? null : new ClockSkew(retimed.ts(), retimed.seq(), host, claimedTs);
    }
}
