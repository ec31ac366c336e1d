package io.vmres.connector.runtime;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of each partition are answered, so that a commit never passes a command whose
 * result is not written yet (commands finish out of order). Thread-safe.
 */
final class PartitionOffsets {
    private final Map<TopicPartition, Tracker> trackers = new HashMap<>();

    /**
     * Tracks a consumed offset until {@link #done}; the returned token names this ownership of the
     * partition, so that an answer after the partition was revoked (and perhaps assigned again)
     * cannot mark a redelivered offset answered.
     */
    synchronized Object track(TopicPartition tp, long offset) {
        Tracker t = trackers.computeIfAbsent(tp, k -> new Tracker());
        t.track(offset);
        return t;
    }

    /** Marks an offset answered; an offset of an ownership given up since is ignored. */
    synchronized void done(TopicPartition tp, Object token, long offset) {
        Tracker t = trackers.get(tp);
        if (t != null && t == token) {
            t.pending.remove(offset);
        }
    }

    /** The offsets to commit: per partition, the first offset not answered yet. */
    synchronized Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> of) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : of) {
            Tracker t = trackers.get(tp);
            if (t != null && t.next >= 0) {
                long c = t.pending.isEmpty() ? t.next : t.pending.first();
                if (c > t.committed) {
                    out.put(tp, new OffsetAndMetadata(c));
                }
            }
        }
        return out;
    }

    synchronized Map<TopicPartition, OffsetAndMetadata> committable() {
        return committable(trackers.keySet());
    }

    synchronized void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach(
                (tp, om) -> {
                    Tracker t = trackers.get(tp);
                    if (t != null) {
                        t.committed = Math.max(t.committed, om.offset());
                    }
                });
    }

    synchronized void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(trackers::remove);
    }

    private static final class Tracker {
        final TreeSet<Long> pending = new TreeSet<>();
        long next = -1;
        long committed = -1;

        void track(long offset) {
            if (next < 0) {
                // Where reading started is committed already (or the reset policy's): commit only
                // progress.
                committed = offset;
            }
            pending.add(offset);
            next = Math.max(next, offset + 1);
        }
    }
}
