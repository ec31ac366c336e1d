package io.vmres.job.replay;

import io.vmres.engine.event.Event;
import io.vmres.engine.recording.RecordingReader;
import io.vmres.job.route.Hop;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Reads a recording in line order and hands its events on in event-time order, (ts, line) as the
 * spec applies them: what the recording source emits. The job's routing stages route them. After
 * the last line comes the end of input (the latest on-time time), then the reader's counters.
 */
public final class RecordingInputs implements SerializableSupplier<Iterator<ReplayInput>> {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final TreeMap<String, String> overrides;

    public RecordingInputs(Path path, Map<String, String> overrides) {
        this.path = path.toString();
        this.overrides = new TreeMap<>(overrides);
    }

    @Override
    public Iterator<ReplayInput> get() {
        try {
            return new Items(RecordingReader.open(Path.of(path), overrides));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private static final class Items
            implements Iterator<ReplayInput>, Closeable, SingleReaderSource.Progress {
        private final RecordingReader reader;
        private final ArrayDeque<ReplayInput> ready = new ArrayDeque<>();

        /** Events by (ts, line), held until the reader's watermark passes them. */
        private final TreeMap<Long, ArrayList<Event>> held = new TreeMap<>();

        private boolean ended;
        // Copies of the reader's counts for the progress gauges, which read them from other
        // threads.
        private volatile long linesRead;
        private volatile long eventsRead;

        Items(RecordingReader reader) {
            this.reader = reader;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && !ended) {
                if (reader.hasNext()) {
                    RecordingReader.Item item = reader.next();
                    linesRead = reader.lines();
                    eventsRead = reader.events();
                    if (item instanceof RecordingReader.EventItem e) {
                        held.computeIfAbsent(e.event().ts(), k -> new ArrayList<>(2))
                                .add(e.event());
                        // every event still to come has ts >= the watermark: those before it are
                        // complete
                        long watermark = reader.watermark();
                        if (watermark != Long.MIN_VALUE) {
                            release(watermark - 1);
                        }
                    } else if (item instanceof RecordingReader.BadLine b) {
                        ready.add(ReplayInput.side(b.deadLetter()));
                    } else if (item instanceof RecordingReader.LateLine l) {
                        ready.add(ReplayInput.side(l.deadLetter()));
                        ready.add(ReplayInput.side(l.alert()));
                    }
                } else {
                    ended = true;
                    linesRead = reader.lines(); // blank and comment lines at the end count too
                    release(Long.MAX_VALUE);
                    if (reader.stats().lastOnTimeTs() != null) {
                        ready.add(ReplayInput.hop(Hop.end(reader.stats().lastOnTimeTs())));
                    }
                    ready.add(ReplayInput.side(new ReplayStats(reader.stats(), reader.settings())));
                }
            }
            return !ready.isEmpty();
        }

        /**
         * Hands on the held events up to {@code upTo} in event-time order, as the pipeline applies
         * them: a host's record routes the lines of its instant and after, whatever their line
         * order.
         */
        private void release(long upTo) {
            while (!held.isEmpty() && held.firstKey() <= upTo) {
                for (Event event :
                        held.pollFirstEntry().getValue()) { // in line order within an instant
                    ready.add(ReplayInput.hop(Hop.event(event)));
                }
            }
        }

        @Override
        public long linesRead() {
            return linesRead;
        }

        @Override
        public long eventsRead() {
            return eventsRead;
        }

        @Override
        public ReplayInput next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
