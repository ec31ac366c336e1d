package io.vmres.deploy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.dashboard.FeedStatus.Check;
import io.vmres.deploy.dashboard.FeedStatus.TopicStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the dashboard tells of its source: unreachable, no job, catching up, live or quiet. */
class FeedStatusTest {
    private static final long NOW = 1_000_000_000L;
    private static final List<String> JOB = List.of("fleet", "incidents");

    private static FeedStatus judge(
            boolean answered, boolean caughtUp, long behind, List<TopicStatus> topics) {
        return FeedStatus.judge(
                new Check(
                        "k:9092",
                        answered,
                        answered ? NOW : null,
                        caughtUp,
                        behind,
                        JOB,
                        topics,
                        NOW),
                null);
    }

    private static List<TopicStatus> topics(Long fleet, Long results) {
        return List.of(
                new TopicStatus("fleet", true, fleet == null ? 0 : 1, fleet),
                new TopicStatus("incidents", true, 0, null),
                new TopicStatus("results", true, results == null ? 0 : 1, results));
    }

    @Test
    void aBrokerThatDoesNotAnswerIsUnreachable() {
        FeedStatus s = judge(false, false, 0, topics(null, null));
        assertThat(s.state()).isEqualTo("unreachable");
        assertThat(s.line()).startsWith("broker unreachable: the broker k:9092 does not answer");
    }

    @Test
    void aBrokerWithoutTheJobsTopicsOrTheirRecordsHasNoJob() {
        FeedStatus missing =
                judge(
                        true,
                        true,
                        0,
                        List.of(
                                new TopicStatus("fleet", false, 0, null),
                                new TopicStatus("incidents", true, 0, null)));
        assertThat(missing.state()).isEqualTo("no-job");
        assertThat(missing.detail()).contains("has no fleet");
        // records of topics others write too (command results of a connector) are no job's
        FeedStatus empty = judge(true, true, 0, topics(null, NOW - 1000));
        assertThat(empty.state()).isEqualTo("no-job");
        assertThat(empty.detail()).contains("no job has written");
    }

    @Test
    void aRecentRecordIsLiveAnOldOneQuietAndABacklogIsReadFirst() {
        assertThat(judge(true, false, 500, topics(null, null)).state()).isEqualTo("catching-up");
        FeedStatus live = judge(true, true, 0, topics(NOW - 3_000, null));
        assertThat(live.state()).isEqualTo("live");
        assertThat(live.lastJobRecordAt()).isEqualTo(NOW - 3_000);
        FeedStatus quiet =
                judge(true, true, 0, topics(NOW - FeedStatus.LIVE_WITHIN.toMillis() - 1, null));
        assertThat(quiet.state()).isEqualTo("quiet");
        assertThat(quiet.line()).contains("its latest record 60 s ago");
    }

    @Test
    void aStateKeepsTheTimeItBeganAcrossChecks() {
        FeedStatus first = judge(false, false, 0, topics(null, null));
        FeedStatus later =
                FeedStatus.judge(
                        new Check(
                                "k:9092",
                                false,
                                null,
                                false,
                                0,
                                JOB,
                                topics(null, null),
                                NOW + 5000),
                        first);
        assertThat(later.since()).isEqualTo(NOW);
        assertThat(later.sameAs(first)).isTrue();
    }
}
