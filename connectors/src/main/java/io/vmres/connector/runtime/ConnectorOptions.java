package io.vmres.connector.runtime;

import io.vmres.schema.Topics;
import io.vmres.schema.sign.KeyPurpose;
import io.vmres.schema.sign.RecordSigning;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a {@link ConnectorService}. Build with {@link #builder()}; every setter checks its
 * value.
 *
 * <pre>{@code
 * ConnectorOptions options = ConnectorOptions.builder()
 *     .groupId("vmres-connector-kvm")
 *     .maxInFlightPerTarget(8)
 *     .maxInFlight(256)
 *     .commandTimeout(Duration.ofMinutes(5))
 *     .build();
 * }</pre>
 */
public final class ConnectorOptions {
    private final String groupId;
    private final String clientId;
    private final String commandsTopic;
    private final String resultsTopic;
    private final String deadLetterTopic;
    private final int maxInFlightPerTarget;
    private final int maxInFlight;
    private final int maxQueued;
    private final Duration commandTimeout;
    private final boolean timeoutFromCommandTs;
    private final Duration pollTimeout;
    private final Duration closeTimeout;
    private final int rememberedResults;
    private final Clock clock;
    private final Map<String, Object> consumerProperties;
    private final Map<String, Object> producerProperties;
    private final boolean exactlyOnce;
    private final String ledgerTopic;
    private final String transactionalId;
    private final Duration retryBackoff;
    private final Duration maxRetryBackoff;
    private final Duration settleTimeout;
    private final Duration jobCommandTimeout;
    private final Duration ledgerRetention;
    private final Duration ledgerLoadTimeout;
    private final RecordSigning signing;
    private final Duration commandMaxAge;
    private final Duration clockSkew;
    private final String alertsTopic;

    private ConnectorOptions(Builder b) {
        this.groupId = b.groupId;
        this.clientId = b.clientId;
        this.commandsTopic = b.commandsTopic;
        this.resultsTopic = b.resultsTopic;
        this.deadLetterTopic = b.deadLetterTopic;
        this.maxInFlightPerTarget = b.maxInFlightPerTarget;
        this.maxInFlight = b.maxInFlight;
        this.maxQueued = b.maxQueued;
        this.commandTimeout = b.commandTimeout;
        this.timeoutFromCommandTs = b.timeoutFromCommandTs;
        this.pollTimeout = b.pollTimeout;
        this.closeTimeout = b.closeTimeout;
        this.rememberedResults = b.rememberedResults;
        this.clock = b.clock;
        this.consumerProperties = Map.copyOf(b.consumerProperties);
        this.producerProperties = Map.copyOf(b.producerProperties);
        this.exactlyOnce = b.exactlyOnce;
        this.ledgerTopic = b.ledgerTopic;
        this.transactionalId = b.transactionalId == null ? b.clientId : b.transactionalId;
        this.retryBackoff = b.retryBackoff;
        this.maxRetryBackoff = b.maxRetryBackoff;
        this.settleTimeout = b.settleTimeout;
        this.jobCommandTimeout = b.jobCommandTimeout;
        this.ledgerRetention = b.ledgerRetention;
        this.ledgerLoadTimeout = b.ledgerLoadTimeout;
        this.signing = b.signing;
        this.commandMaxAge = b.commandMaxAge;
        this.clockSkew = b.clockSkew;
        this.alertsTopic = b.alertsTopic;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The defaults: group {@code vmres-connector}, 8 per target, 256 in all, 4 minutes a command
     * and 30 s to settle one, within the job's 5.
     */
    public static ConnectorOptions defaults() {
        return builder().build();
    }

    /** Consumer group of the commands topic; the replicas of one connector share it. */
    public String groupId() {
        return groupId;
    }

    public String clientId() {
        return clientId;
    }

    public String commandsTopic() {
        return commandsTopic;
    }

    public String resultsTopic() {
        return resultsTopic;
    }

    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    /** Calls running at once against one target host (the host itself for a fence). */
    public int maxInFlightPerTarget() {
        return maxInFlightPerTarget;
    }

    /** Calls running at once in this service. */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** Commands waiting for a slot above which the service stops fetching more. */
    public int maxQueued() {
        return maxQueued;
    }

    /** Time a command has for its answer; past it the answer is {@code TIMED_OUT}. */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /**
     * Whether {@link #commandTimeout()} runs from the command's {@code ts} (the default: in live
     * mode event time follows the wall clock, and a command the job has already timed out must not
     * run late, or a VM could start on two hosts) rather than from the moment it starts running.
     */
    public boolean timeoutFromCommandTs() {
        return timeoutFromCommandTs;
    }

    public Duration pollTimeout() {
        return pollTimeout;
    }

    /** How long {@link ConnectorService#close()} waits for calls in flight. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** Answers remembered by command id, to answer a redelivered command without running it. */
    public int rememberedResults() {
        return rememberedResults;
    }

    /** The clock of result and dead-letter timestamps and of timeouts. */
    public Clock clock() {
        return clock;
    }

    /** Overrides for the consumer the service creates from bootstrap servers. */
    public Map<String, Object> consumerProperties() {
        return consumerProperties;
    }

    /** Overrides for the producer the service creates from bootstrap servers. */
    public Map<String, Object> producerProperties() {
        return producerProperties;
    }

    /**
     * Whether the service keeps a durable ledger of what it ran ({@link #ledgerTopic()}) and writes
     * results, ledger entries and consumer offsets in Kafka transactions: each command runs at most
     * once across restarts (a command in doubt at a crash goes through {@link
     * HypervisorConnector#runInDoubt}) and gets exactly one result as read with {@code
     * read_committed}. Off by default in the library; {@code vmres connector} turns it on.
     */
    public boolean exactlyOnce() {
        return exactlyOnce;
    }

    /** The compacted topic of the durable ledger, keyed by command id. */
    public String ledgerTopic() {
        return ledgerTopic;
    }

    /**
     * The producer's {@code transactional.id} in exactly-once mode: stable across restarts of one
     * replica (a restart fences the transaction its predecessor left open), distinct per replica.
     * Defaults to the client id.
     */
    public String transactionalId() {
        return transactionalId;
    }

    /** First wait before retrying a call that failed transiently; doubled on each retry. */
    public Duration retryBackoff() {
        return retryBackoff;
    }

    /** Longest wait between two retries of a call. */
    public Duration maxRetryBackoff() {
        return maxRetryBackoff;
    }

    /**
     * How long a restart or migration past its timeout (or failed in doubt) has to end and be
     * settled on its target (see {@link HypervisorConnector#settle}) before it is answered in
     * doubt.
     */
    public Duration settleTimeout() {
        return settleTimeout;
    }

    /**
     * The job's {@code commandTimeout}: the connector answers every command before it, {@link
     * #commandTimeout()} and {@link #settleTimeout()} together being shorter, or the job's own
     * timeout and a late answer would race.
     */
    public Duration jobCommandTimeout() {
        return jobCommandTimeout;
    }

    /**
     * How long a ledger entry is kept after it was written: older ones are removed (tombstoned),
     * their commands long expired. At least {@link #jobCommandTimeout()}.
     */
    public Duration ledgerRetention() {
        return ledgerRetention;
    }

    /** The longest one load of the ledger may take (at start, after an assignment). */
    public Duration ledgerLoadTimeout() {
        return ledgerLoadTimeout;
    }

    /**
     * The keys commands are verified and results signed with (docs/security.md); null: commands run
     * unverified and results go out unsigned.
     */
    public RecordSigning signing() {
        return signing;
    }

    /** The oldest signature a command may have to run (plus {@link #clockSkew()}). */
    public Duration commandMaxAge() {
        return commandMaxAge;
    }

    /** How far the job's clock and this one may differ, either way. */
    public Duration clockSkew() {
        return clockSkew;
    }

    /** Where a rejected command is told to operators. */
    public String alertsTopic() {
        return alertsTopic;
    }

    /** Builds {@link ConnectorOptions}; each setter rejects a bad value at once. */
    public static final class Builder {
        private String groupId = "vmres-connector";
        private String clientId = "vmres-connector";
        private String commandsTopic = Topics.COMMANDS;
        private String resultsTopic = Topics.COMMAND_RESULTS;
        private String deadLetterTopic = Topics.DEAD_LETTER;
        private int maxInFlightPerTarget = 8;
        private int maxInFlight = 256;
        private int maxQueued = 4096;
        private Duration commandTimeout = Duration.ofMinutes(4);
        private boolean timeoutFromCommandTs = true;
        private Duration pollTimeout = Duration.ofMillis(100);
        private Duration closeTimeout = Duration.ofSeconds(30);
        private int rememberedResults = 100_000;
        private Clock clock = Clock.systemUTC();
        private final Map<String, Object> consumerProperties = new HashMap<>();
        private final Map<String, Object> producerProperties = new HashMap<>();
        private boolean exactlyOnce;
        private String ledgerTopic = Topics.CONNECTOR_LEDGER;
        private String transactionalId;
        private Duration retryBackoff = Duration.ofMillis(200);
        private Duration maxRetryBackoff = Duration.ofSeconds(5);
        private Duration settleTimeout = Duration.ofSeconds(30);
        private Duration jobCommandTimeout = Duration.ofMinutes(5);
        private Duration ledgerRetention = Duration.ofHours(24);
        private Duration ledgerLoadTimeout = Duration.ofSeconds(60);
        private RecordSigning signing;
        private Duration commandMaxAge = Duration.ofMinutes(5);
        private Duration clockSkew = Duration.ofSeconds(30);
        private String alertsTopic = Topics.ALERTS;

        /**
         * Verifies every command before anything runs (a command not signed by a valid key that
         * signs commands, stale or replayed is {@code REJECTED}) and signs every result; null: no
         * signing. The keys must hold a private key that signs results.
         */
        public Builder signing(RecordSigning s) {
            if (s != null && s.keys().current().signingKeyId(KeyPurpose.RESULTS) == null) {
                throw new IllegalArgumentException(
                        s.keys().path() + " holds no private key that signs results");
            }
            if (s != null && !s.keys().current().verifies(KeyPurpose.COMMANDS)) {
                throw new IllegalArgumentException(
                        s.keys().path() + " holds no valid key that signs commands");
            }
            this.signing = s;
            return this;
        }

        public Builder commandMaxAge(Duration d) {
            this.commandMaxAge = positive(d, "commandMaxAge");
            return this;
        }

        public Builder clockSkew(Duration d) {
            this.clockSkew = nonNegative(d, "clockSkew");
            return this;
        }

        public Builder alertsTopic(String topic) {
            this.alertsTopic = Objects.requireNonNull(topic, "alertsTopic");
            return this;
        }

        private Builder() {}

        public Builder settleTimeout(Duration d) {
            this.settleTimeout = positive(d, "settleTimeout");
            return this;
        }

        public Builder jobCommandTimeout(Duration d) {
            this.jobCommandTimeout = positive(d, "jobCommandTimeout");
            return this;
        }

        public Builder ledgerRetention(Duration d) {
            this.ledgerRetention = positive(d, "ledgerRetention");
            return this;
        }

        public Builder ledgerLoadTimeout(Duration d) {
            this.ledgerLoadTimeout = positive(d, "ledgerLoadTimeout");
            return this;
        }

        public Builder exactlyOnce(boolean exactlyOnce) {
            this.exactlyOnce = exactlyOnce;
            return this;
        }

        public Builder ledgerTopic(String topic) {
            this.ledgerTopic = nonEmpty(topic, "ledgerTopic");
            return this;
        }

        public Builder transactionalId(String id) {
            this.transactionalId = nonEmpty(id, "transactionalId");
            return this;
        }

        public Builder retryBackoff(Duration first, Duration max) {
            this.retryBackoff = positive(first, "retryBackoff");
            this.maxRetryBackoff = positive(max, "maxRetryBackoff");
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("maxRetryBackoff is below retryBackoff");
            }
            return this;
        }

        public Builder groupId(String groupId) {
            this.groupId = nonEmpty(groupId, "groupId");
            return this;
        }

        public Builder clientId(String clientId) {
            this.clientId = nonEmpty(clientId, "clientId");
            return this;
        }

        public Builder commandsTopic(String topic) {
            this.commandsTopic = nonEmpty(topic, "commandsTopic");
            return this;
        }

        public Builder resultsTopic(String topic) {
            this.resultsTopic = nonEmpty(topic, "resultsTopic");
            return this;
        }

        public Builder deadLetterTopic(String topic) {
            this.deadLetterTopic = nonEmpty(topic, "deadLetterTopic");
            return this;
        }

        public Builder maxInFlightPerTarget(int n) {
            this.maxInFlightPerTarget = positive(n, "maxInFlightPerTarget");
            return this;
        }

        public Builder maxInFlight(int n) {
            this.maxInFlight = positive(n, "maxInFlight");
            return this;
        }

        public Builder maxQueued(int n) {
            this.maxQueued = positive(n, "maxQueued");
            return this;
        }

        public Builder commandTimeout(Duration d) {
            this.commandTimeout = positive(d, "commandTimeout");
            return this;
        }

        public Builder timeoutFromCommandTs(boolean fromCommandTs) {
            this.timeoutFromCommandTs = fromCommandTs;
            return this;
        }

        public Builder pollTimeout(Duration d) {
            this.pollTimeout = positive(d, "pollTimeout");
            return this;
        }

        public Builder closeTimeout(Duration d) {
            this.closeTimeout = positive(d, "closeTimeout");
            return this;
        }

        public Builder rememberedResults(int n) {
            this.rememberedResults = positive(n, "rememberedResults");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder consumerProperty(String key, Object value) {
            consumerProperties.put(nonEmpty(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder producerProperty(String key, Object value) {
            producerProperties.put(nonEmpty(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public ConnectorOptions build() {
            if (maxInFlightPerTarget > maxInFlight) {
                throw new IllegalArgumentException(
                        "maxInFlightPerTarget ("
                                + maxInFlightPerTarget
                                + ") exceeds maxInFlight ("
                                + maxInFlight
                                + ")");
            }
            // The connector must answer before the job gives up on the command: else the job's
            // own timeout and a late answer race, and a retry elsewhere may meet a late start.
            if (commandTimeout.plus(settleTimeout).compareTo(jobCommandTimeout) >= 0) {
                throw new IllegalArgumentException(
                        "commandTimeout ("
                                + commandTimeout
                                + ") plus settleTimeout ("
                                + settleTimeout
                                + ") must be shorter than the job's commandTimeout ("
                                + jobCommandTimeout
                                + "): the connector must answer before the job gives up");
            }
            if (ledgerRetention.compareTo(jobCommandTimeout) < 0) {
                throw new IllegalArgumentException(
                        "ledgerRetention ("
                                + ledgerRetention
                                + ") is shorter than the job's commandTimeout ("
                                + jobCommandTimeout
                                + ")");
            }
            return new ConnectorOptions(this);
        }

        private static String nonEmpty(String s, String name) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException(name + " must be a non-empty string");
            }
            return s;
        }

        private static int positive(int n, String name) {
            if (n < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, was " + n);
            }
            return n;
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
            }
            return d;
        }

        private static Duration nonNegative(Duration d, String name) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, was " + d);
            }
            return d;
        }
    }
}
