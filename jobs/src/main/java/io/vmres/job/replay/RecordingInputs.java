package io.vmres.job.replay;

import io.vmres.engine.recording.ClusterRouter;
import io.vmres.engine.recording.RecordingReader;
import io.vmres.job.Routed;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Reads a recording in line order and routes its events to their clusters: what the recording
 * source emits. After the last line, every cluster gets the end of input (the latest on-time
 * time), then the reader's counters follow.
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

  private static final class Items implements Iterator<ReplayInput>, Closeable {
    private final RecordingReader reader;
    private final ClusterRouter router = new ClusterRouter();
    private final Set<String> clusters = new LinkedHashSet<>();
    private final ArrayDeque<ReplayInput> ready = new ArrayDeque<>();
    private boolean ended;

    Items(RecordingReader reader) {
      this.reader = reader;
    }

    @Override
    public boolean hasNext() {
      while (ready.isEmpty() && !ended) {
        if (reader.hasNext()) {
          RecordingReader.Item item = reader.next();
          if (item instanceof RecordingReader.EventItem e) {
            for (ClusterRouter.Delivery d : router.route(e.event())) {
              clusters.add(d.cluster());
              ready.add(ReplayInput.routed(Routed.of(d.cluster(), d.event())));
            }
          } else if (item instanceof RecordingReader.BadLine b) {
            ready.add(ReplayInput.side(b.deadLetter()));
          } else if (item instanceof RecordingReader.LateLine l) {
            ready.add(ReplayInput.side(l.deadLetter()));
            ready.add(ReplayInput.side(l.alert()));
          }
        } else {
          ended = true;
          if (reader.stats().lastOnTimeTs() != null) {
            long last = reader.stats().lastOnTimeTs();
            for (String c : clusters) {
              ready.add(ReplayInput.routed(Routed.end(c, last)));
            }
          }
          ready.add(ReplayInput.side(new ReplayStats(reader.stats(), reader.settings())));
        }
      }
      return !ready.isEmpty();
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
