package io.vmres.engine;

/**
 * The spec's Wrong clocks rule: an event whose {@code ts} is more than {@code maxClockSkew} before
 * or after the time it reached the pipeline ({@code recvTs}: in production the Kafka record's
 * broker append time) comes from a source whose clock is wrong, and takes its {@code recvTs} as its
 * {@code ts} for every rule that follows. One wrong clock can then neither push event time ahead
 * (blinding detection: every other source would be late) nor make a live host look silent.
 */
public record ClockRule(long maxClockSkewMs) implements java.io.Serializable {

    /** No arrival time known: the event's own ts stands. */
    public static final long NO_RECV_TS = Long.MIN_VALUE;

    public ClockRule {
        if (maxClockSkewMs <= 0) {
            throw new IllegalArgumentException("maxClockSkew must be > 0, got " + maxClockSkewMs);
        }
    }

    /**
     * The event time the pipeline applies: {@code recvTs} when the clock is off, else {@code ts}.
     */
    public long effectiveTs(long ts, long recvTs) {
        return isSkewed(ts, recvTs) ? recvTs : ts;
    }

    /** True when {@code ts} is more than the allowed skew from {@code recvTs} (either way). */
    public boolean isSkewed(long ts, long recvTs) {
        if (recvTs == NO_RECV_TS) {
            return false;
        }
        // Differences of far-apart times (a ts near Long.MAX_VALUE) must not overflow.
        long diff;
        try {
            diff = Math.abs(Math.subtractExact(ts, recvTs));
        } catch (ArithmeticException overflow) {
            return true;
        }
        return diff > maxClockSkewMs || diff < 0;
    }
}
