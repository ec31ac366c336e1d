package io.vmres.connector.runtime;

import org.apache.kafka.common.TopicPartition;

/**
 * One read of a command record: the partition, offset and ownership token (see {@link
 * PartitionOffsets#track}) to mark answered once the record's answer is written.
 */
record Delivery(TopicPartition tp, Object token, long offset) {

    /** Lets a commit pass this offset. */
    void answered(PartitionOffsets offsets) {
        offsets.done(tp, token, offset);
    }

    /** The same read, for a record written beside its answer: writing it answers nothing. */
    Delivery beside() {
        return new Delivery(tp, null, offset);
    }

    /** Where the record was read: what tells a redelivery from a copy written again. */
    String origin() {
        return tp + "@" + offset;
    }
}
