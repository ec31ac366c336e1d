package io.vmres.deploy.commands;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Merges the records of several partitions, each in about time order, into one time order.
 *
 * <p>A consumer catching up on a backlog gets whole batches of one partition before the next: in
 * arrival order a recording would jump back by as much as the backlog is long, and the replay would
 * drop every event more than {@code outOfOrderness} behind as late. So a record is held until no
 * partition that still has records to read can bring an earlier one: until every such partition has
 * been read past its {@code ts}. Once the consumer has caught up everywhere, records leave as they
 * arrive (a poll's batch in {@code ts} order).
 *
 * @param <P> the partition
 * @param <T> what is recorded
 */
final class PartitionMerge<P, T> {
    private record Held<T>(long ts, int rank, long seq, T item) {}

    private final PriorityQueue<Held<T>> held =
            new PriorityQueue<>(
                    Comparator.<Held<T>>comparingLong(Held::ts)
                            .thenComparingInt(Held::rank)
                            .thenComparingLong(Held::seq));
    private final Map<P, Long> latest = new HashMap<>(); // partition -> greatest ts read from it
    private final int maxHeld;
    private long seq;

    /**
     * @param maxHeld records held at most; beyond, the earliest leave anyway (memory over order)
     */
    PartitionMerge(int maxHeld) {
        if (maxHeld < 1) {
            throw new IllegalArgumentException("maxHeld must be at least 1, was " + maxHeld);
        }
        this.maxHeld = maxHeld;
    }

    /** A record read from a partition. */
    void add(P partition, long ts, T item) {
        add(partition, ts, 0, item);
    }

    /**
     * A record read from a partition; of records with the same {@code ts}, those of lower rank come
     * first, then those that arrived first.
     */
    void add(P partition, long ts, int rank, T item) {
        held.add(new Held<>(ts, rank, seq++, item));
        latest.merge(partition, ts, Math::max);
    }

    /**
     * The held records that no partition still behind can precede, in {@code ts} order.
     *
     * @param behind the partitions with records not read yet
     */
    List<T> release(Collection<P> behind) {
        long upTo = Long.MAX_VALUE;
        for (P p : behind) {
            // A partition behind that gave nothing yet may still hold the earliest record of all.
            upTo = Math.min(upTo, latest.getOrDefault(p, Long.MIN_VALUE));
        }
        List<T> out = new ArrayList<>();
        while (!held.isEmpty() && (held.peek().ts <= upTo || held.size() > maxHeld)) {
            out.add(held.poll().item);
        }
        return out;
    }

    /** Every held record, in {@code ts} order: at the end of a recording. */
    List<T> drain() {
        return release(List.of());
    }

    /** Records held now. */
    int size() {
        return held.size();
    }
}
