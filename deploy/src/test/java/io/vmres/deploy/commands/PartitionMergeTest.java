package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionMergeTest {

    @Test
    void aBacklogReadOnePartitionAfterTheOtherComesOutInTimeOrder() {
        PartitionMerge<String, String> merge = new PartitionMerge<>(1_000);
        // The whole backlog of p0 arrives before anything of p1.
        merge.add("p0", 1_000, "a1");
        merge.add("p0", 2_000, "a2");
        merge.add("p0", 30_000, "a30");
        assertThat(merge.release(List.of("p0", "p1")))
                .as("p1 may still hold the earliest")
                .isEmpty();
        assertThat(merge.release(List.of("p1"))).as("p1 not read at all yet").isEmpty();

        merge.add("p1", 1_500, "b1");
        merge.add("p1", 10_000, "b10");
        assertThat(merge.release(List.of("p1"))).containsExactly("a1", "b1", "a2", "b10");

        merge.add("p1", 40_000, "b40");
        assertThat(merge.release(List.of()))
                .as("caught up everywhere")
                .containsExactly("a30", "b40");
        assertThat(merge.size()).isZero();
    }

    @Test
    void equalTimesLeaveInArrivalOrder() {
        PartitionMerge<String, String> merge = new PartitionMerge<>(1_000);
        merge.add("p0", 5, "host");
        merge.add("p0", 5, "vm");
        merge.add("p1", 5, "beat");
        assertThat(merge.drain()).containsExactly("host", "vm", "beat");
    }

    @Test
    void atOneInstantALowerRankComesFirst() {
        PartitionMerge<String, String> merge = new PartitionMerge<>(1_000);
        merge.add("beats", 5, 1, "beat");
        merge.add("inventory", 5, 0, "host");
        merge.add("inventory", 4, 0, "earlier host");
        assertThat(merge.drain()).containsExactly("earlier host", "host", "beat");
    }

    @Test
    void aPartitionBehindHoldsOnlyWhatItCouldPrecede() {
        PartitionMerge<String, String> merge = new PartitionMerge<>(1_000);
        merge.add("p1", 3_000, "b3");
        merge.add("p0", 2_000, "a2");
        merge.add("p0", 4_000, "a4");
        assertThat(merge.release(List.of("p1"))).containsExactly("a2", "b3");
        assertThat(merge.drain()).containsExactly("a4");
    }

    @Test
    void beyondTheBoundTheEarliestLeaveAnyway() {
        PartitionMerge<String, String> merge = new PartitionMerge<>(2);
        merge.add("p0", 3, "c");
        merge.add("p0", 1, "a");
        merge.add("p0", 2, "b");
        assertThat(merge.release(List.of("p1"))).containsExactly("a");
        assertThat(merge.size()).isEqualTo(2);
        assertThatThrownBy(() -> new PartitionMerge<String, String>(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
