package io.vmres.deploy.dashboard;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Where the dashboard's data comes from, and whether any comes: what the page's badge and the
 * terminal say, so that an empty page is never mistaken for a quiet fleet. Wall-clock times (epoch
 * milliseconds): the Kafka record timestamps the job's producer stamps, and the checks.
 *
 * @param state one of the {@code State} names, in lower case with dashes ({@code no-job})
 * @param detail one sentence for an operator
 * @param since when this state began
 * @param checkedAt when the source was last looked at
 * @param lastJobRecordAt the timestamp of the latest record of the job's own topics, null when none
 * @param topics what was read of each topic, in the order read
 */
public record FeedStatus(
        String state,
        String detail,
        long since,
        long checkedAt,
        Long lastJobRecordAt,
        List<TopicStatus> topics) {

    /** A record younger than this is live; an older one only tells how long the job is quiet. */
    public static final Duration LIVE_WITHIN = Duration.ofSeconds(60);

    /** The states, in the words of the page's badge. */
    public enum State {
        /** Not checked yet. */
        CONNECTING("connecting"),
        /** The broker does not answer. */
        UNREACHABLE("broker unreachable"),
        /** The broker answers, but no job has written to the topics (or they do not exist). */
        NO_JOB("no job writing"),
        /** Reading what the topics hold from their beginning. */
        CATCHING_UP("catching up"),
        /** A job wrote within {@link #LIVE_WITHIN}. */
        LIVE("live"),
        /** A job wrote, but not within {@link #LIVE_WITHIN}: a steady fleet, or a stopped job. */
        QUIET("quiet"),
        /** A replay feeds the page. */
        REPLAYING("replaying"),
        /** The replay is over: nothing more will come. */
        REPLAY_ENDED("replay ended");

        private final String badge;

        State(String badge) {
            this.badge = badge;
        }

        public String badge() {
            return badge;
        }

        /** The name the page and the JSON use: {@code no-job}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * What was read of one topic.
     *
     * @param exists whether the broker has it (true until a check says otherwise)
     * @param records records read since the dashboard started
     * @param lastRecordAt the timestamp of the latest record read, null when none
     */
    public record TopicStatus(String topic, boolean exists, long records, Long lastRecordAt) {}

    /** The facts a check of a Kafka source gathered, judged into a state by {@link #judge}. */
    public record Check(
            String bootstrap,
            boolean answered,
            Long lastAnswerAt,
            boolean caughtUp,
            long behind,
            List<String> jobTopics,
            List<TopicStatus> topics,
            long now) {}

    public State stateValue() {
        for (State s : State.values()) {
            if (s.id().equals(state)) {
                return s;
            }
        }
        throw new IllegalStateException("no state " + state);
    }

    /** Before the first check. */
    public static FeedStatus connecting(String what, long now) {
        return new FeedStatus(
                State.CONNECTING.id(),
                "waiting for the first answer of " + what,
                now,
                now,
                null,
                List.of());
    }

    /** A state told by its source itself (a replay). */
    public static FeedStatus of(State state, String detail, long now) {
        return new FeedStatus(state.id(), detail, now, now, null, List.of());
    }

    /**
     * The state of a Kafka source from one check: unreachable when the broker did not answer it; no
     * job when a topic the job writes is missing, or none holds a record; catching up while the
     * first read of the topics has not reached their end; live or quiet by the age of the latest
     * record of the job's topics.
     *
     * @param previous the state before, for {@link #since}; null for none
     */
    public static FeedStatus judge(Check c, FeedStatus previous) {
        State state;
        String detail;
        Long last =
                c.topics().stream()
                        .filter(t -> c.jobTopics().contains(t.topic()))
                        .map(TopicStatus::lastRecordAt)
                        .filter(t -> t != null)
                        .max(Long::compare)
                        .orElse(null);
        if (!c.answered()) {
            state = State.UNREACHABLE;
            detail =
                    "the broker "
                            + c.bootstrap()
                            + (c.lastAnswerAt() == null
                                    ? " does not answer"
                                    : " does not answer any more");
        } else {
            List<String> missing =
                    c.topics().stream()
                            .filter(t -> c.jobTopics().contains(t.topic()) && !t.exists())
                            .map(TopicStatus::topic)
                            .toList();
            if (!missing.isEmpty()) {
                state = State.NO_JOB;
                detail =
                        "the broker "
                                + c.bootstrap()
                                + " answers, but has no "
                                + String.join(", ", missing)
                                + ": no vmres job writes there";
            } else if (!c.caughtUp() && c.behind() > 0) {
                state = State.CATCHING_UP;
                detail =
                        "reading the topics from their beginning: " + c.behind() + " records to go";
            } else if (last == null) {
                state = State.NO_JOB;
                detail =
                        "the broker "
                                + c.bootstrap()
                                + " answers, but no job has written to its topics";
            } else if (c.now() - last <= LIVE_WITHIN.toMillis()) {
                state = State.LIVE;
                detail = "the job writes to its topics";
            } else {
                state = State.QUIET;
                detail =
                        "the broker answers, but the job wrote nothing for "
                                + human(LIVE_WITHIN.toMillis())
                                + ": a steady fleet, or a job that stopped";
            }
        }
        long since =
                previous != null && previous.state().equals(state.id())
                        ? previous.since()
                        : c.now();
        return new FeedStatus(state.id(), detail, since, c.now(), last, c.topics());
    }

    /** The line the terminal prints when the state changes. */
    public String line() {
        return stateValue().badge()
                + ": "
                + detail
                + (lastJobRecordAt == null
                        ? ""
                        : " (its latest record " + human(checkedAt - lastJobRecordAt) + " ago)");
    }

    /** Whether {@code o} tells the same thing, the time of the check aside. */
    public boolean sameAs(FeedStatus o) {
        return o != null
                && state.equals(o.state)
                && detail.equals(o.detail)
                && java.util.Objects.equals(lastJobRecordAt, o.lastJobRecordAt)
                && topics.equals(o.topics);
    }

    static String human(long ms) {
        long s = Math.max(0, ms) / 1000;
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return s / 60 + " min";
        }
        return s / 3600 + " h";
    }
}
