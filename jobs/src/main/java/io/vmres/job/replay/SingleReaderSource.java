package io.vmres.job.replay;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * A bounded source of one reader that emits what an iterator yields, in order. A recording must be
 * read in line order by one reader (lateness is defined on line order), and the reader, not a
 * downstream operator, must say where the input ends: its last elements come before the final
 * watermark.
 */
public final class SingleReaderSource<T> implements Source<T, SingleReaderSource.Split, Void> {
    private static final long serialVersionUID = 1L;

    /** Gauge of the reader's metric group: lines of the input read so far. */
    public static final String LINES_READ = "linesRead";

    /** Gauge of the reader's metric group: events read so far. */
    public static final String EVENTS_READ = "eventsRead";

    private final SerializableSupplier<Iterator<T>> items;

    public SingleReaderSource(SerializableSupplier<Iterator<T>> items) {
        this.items = items;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<T, Split> createReader(SourceReaderContext context) {
        return new Reader<>(items, context);
    }

    @Override
    public SplitEnumerator<Split, Void> createEnumerator(SplitEnumeratorContext<Split> context) {
        return new Enumerator(context, false);
    }

    @Override
    public SplitEnumerator<Split, Void> restoreEnumerator(
            SplitEnumeratorContext<Split> context, Void checkpoint) {
        return new Enumerator(context, true);
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
        return new NoCheckpoint();
    }

    /**
     * An input that tells how far it has read, for a progress display: its counts are read from
     * another thread than the one reading, so they must be safe to read there.
     */
    public interface Progress {
        long linesRead();

        long eventsRead();
    }

    /** The one split: the whole input. */
    public static final class Split implements SourceSplit {
        @Override
        public String splitId() {
            return "all";
        }
    }

    private static final class Enumerator implements SplitEnumerator<Split, Void> {
        private final SplitEnumeratorContext<Split> context;
        private boolean assigned;

        Enumerator(SplitEnumeratorContext<Split> context, boolean assigned) {
            this.context = context;
            this.assigned = assigned;
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {
            if (!assigned && subtaskId == 0) {
                assigned = true;
                context.assignSplit(new Split(), subtaskId);
            }
            context.signalNoMoreSplits(subtaskId);
        }

        @Override
        public void addSplitsBack(List<Split> splits, int subtaskId) {
            assigned = false;
        }

        @Override
        public void addReader(int subtaskId) {}

        @Override
        public Void snapshotState(long checkpointId) {
            return null;
        }

        @Override
        public void close() {}
    }

    private static final class Reader<T> implements SourceReader<T, Split> {
        private final SerializableSupplier<Iterator<T>> items;
        private final SourceReaderContext context;
        private final CompletableFuture<Void> available = new CompletableFuture<>();
        private Iterator<T> iterator;
        private volatile Progress progress; // read by the metric reporters' threads
        private boolean noMoreSplits;

        Reader(SerializableSupplier<Iterator<T>> items, SourceReaderContext context) {
            this.items = items;
            this.context = context;
        }

        @Override
        public void start() {
            context.metricGroup()
                    .gauge(LINES_READ, () -> progress == null ? 0L : progress.linesRead());
            context.metricGroup()
                    .gauge(EVENTS_READ, () -> progress == null ? 0L : progress.eventsRead());
            context.sendSplitRequest();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) {
            if (iterator != null) {
                if (iterator.hasNext()) {
                    output.collect(iterator.next());
                    return InputStatus.MORE_AVAILABLE;
                }
                return InputStatus.END_OF_INPUT;
            }
            return noMoreSplits ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<Split> snapshotState(long checkpointId) {
            return List.of(); // replay runs without checkpoints
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return available;
        }

        @Override
        public void addSplits(List<Split> splits) {
            iterator = items.get();
            if (iterator instanceof Progress p) {
                progress = p;
            }
            available.complete(null);
        }

        @Override
        public void notifyNoMoreSplits() {
            noMoreSplits = true;
            available.complete(null);
        }

        @Override
        public void close() throws IOException {
            if (iterator instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
        }
    }

    private static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Split split) {
            return new byte[0];
        }

        @Override
        public Split deserialize(int version, byte[] serialized) {
            return new Split();
        }
    }

    private static final class NoCheckpoint implements SimpleVersionedSerializer<Void> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Void obj) {
            return new byte[0];
        }

        @Override
        public Void deserialize(int version, byte[] serialized) {
            return null;
        }
    }
}
