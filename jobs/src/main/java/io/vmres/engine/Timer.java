package io.vmres.engine;

import io.vmres.engine.fleet.Channel;
import java.io.Serializable;

/**
 * An event-time timer of the engine, one record per kind. Timers of one instant run by {@link Kind}
 * (channel losses, then classifications, isolations, temperature windows, then command answers),
 * then by creation. Stale timers are dropped when they fire (lazy invalidation).
 */
public sealed interface Timer extends Comparable<Timer>, Serializable {
    /** The kinds, in the order they run within an instant. */
    enum Kind {
        LOSS,
        CLASSIFY,
        ISOLATION,
        TEMPERATURE,
        /** Step 3 of an instant: command answers and timeouts. */
        ANSWER
    }

    long ts();

    /** The order of creation, over every kind. */
    long seq();

    Kind kind();

    @Override
    default int compareTo(Timer o) {
        if (ts() != o.ts()) {
            return Long.compare(ts(), o.ts());
        }
        if (kind() != o.kind()) {
            return kind().compareTo(o.kind());
        }
        return Long.compare(seq(), o.seq());
    }

    /** The channel may be lost: no beat within the timeout of its greatest beat. */
    record ChannelLoss(long ts, long seq, String host, Channel channel) implements Timer {
        @Override
        public Kind kind() {
            return Kind.LOSS;
        }
    }

    /** The host fell silent at {@code lossTime}: classify the cluster's silent hosts. */
    record Classify(long ts, long seq, String host, long lossTime) implements Timer {
        @Override
        public Kind kind() {
            return Kind.CLASSIFY;
        }
    }

    /** The host lost its management channel at {@code mgmtLossTs} while storage still beats. */
    record Isolation(long ts, long seq, String host, long mgmtLossTs) implements Timer {
        @Override
        public Kind kind() {
            return Kind.ISOLATION;
        }
    }

    /** A CPU temperature window of the host ends. */
    record TemperatureWindow(long ts, long seq, String host) implements Timer {
        @Override
        public Kind kind() {
            return Kind.TEMPERATURE;
        }
    }

    /** A command's simulated answer, or its timeout. */
    record Answer(long ts, long seq, String commandId) implements Timer {
        @Override
        public Kind kind() {
            return Kind.ANSWER;
        }
    }
}
