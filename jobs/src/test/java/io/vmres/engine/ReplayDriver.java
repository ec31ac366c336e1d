package io.vmres.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmres.engine.event.Event;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.DeadLetterOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import io.vmres.engine.recording.ClusterRouter;
import io.vmres.engine.recording.RecordingReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small replay of a recording through cluster engines into an output folder, for the engine's
 * own tests (the product's replay lives in {@code io.vmres.engine.recording}).
 */
public final class ReplayDriver {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A line of output with what orders it: (ts, cluster, emission). */
  private record Line(long ts, String cluster, long seq, Object value) {}

  private static final class Collector implements Output {
    final String cluster;
    final List<Line> commands;
    final List<Line> results;
    final List<Line> incidents;
    final List<Line> alerts;
    long seq;

    Collector(String cluster, List<Line> c, List<Line> r, List<Line> i, List<Line> a) {
      this.cluster = cluster;
      this.commands = c;
      this.results = r;
      this.incidents = i;
      this.alerts = a;
    }

    @Override
    public void command(CommandOut x) {
      commands.add(new Line(x.ts(), cluster, seq++, x));
    }

    @Override
    public void result(ResultOut x) {
      results.add(new Line(x.ts(), cluster, seq++, x));
    }

    @Override
    public void incident(IncidentOut x) {
      incidents.add(new Line(x.ts(), cluster, seq++, x));
    }

    @Override
    public void alert(AlertOut x) {
      alerts.add(new Line(x.ts(), cluster, seq++, x));
    }
  }

  private ReplayDriver() {}

  public static void main(String[] args) throws IOException {
    replay(Path.of(args[0]), Path.of(args[1]));
  }

  /** Replays the recording into {@code outDir}; returns the engines by cluster. */
  public static Map<String, ClusterEngine> replay(Path recording, Path outDir) throws IOException {
    List<Line> commands = new ArrayList<>();
    List<Line> results = new ArrayList<>();
    List<Line> incidents = new ArrayList<>();
    List<Line> alerts = new ArrayList<>();
    List<DeadLetterOut> dead = new ArrayList<>();
    TreeMap<String, List<Event>> byCluster = new TreeMap<>();
    ClusterRouter router = new ClusterRouter();
    Settings settings;
    String name;
    long events;
    long late;
    Long lastTs = null;
    try (RecordingReader reader = RecordingReader.open(recording, Map.of())) {
      while (reader.hasNext()) {
        RecordingReader.Item item = reader.next();
        if (item instanceof RecordingReader.EventItem ei) {
          lastTs = lastTs == null ? ei.event().ts() : Math.max(lastTs, ei.event().ts());
          for (ClusterRouter.Delivery d : router.route(ei.event())) {
            byCluster.computeIfAbsent(d.cluster(), k -> new ArrayList<>()).add(d.event());
          }
        } else if (item instanceof RecordingReader.BadLine b) {
          dead.add(b.deadLetter());
        } else if (item instanceof RecordingReader.LateLine l) {
          dead.add(l.deadLetter());
          alerts.add(new Line(l.alert().ts(), "", -1_000_000_000L + dead.size(), l.alert()));
        }
      }
      settings = reader.settings();
      name = reader.name();
      events = reader.events();
      late = reader.lateEvents();
    }
    Map<String, ClusterEngine> engines = new LinkedHashMap<>();
    Map<String, Collector> outs = new LinkedHashMap<>();
    Map<String, Integer> pos = new TreeMap<>();
    for (Map.Entry<String, List<Event>> e : byCluster.entrySet()) {
      e.getValue()
          .sort(Comparator.comparingLong(Event::ts).thenComparingLong(Event::seq));
      engines.put(
          e.getKey(),
          new ClusterEngine(e.getKey(), settings, ClusterEngine.Hypervisor.SIMULATED));
      outs.put(e.getKey(), new Collector(e.getKey(), commands, results, incidents, alerts));
      pos.put(e.getKey(), 0);
    }
    boolean ended = false;
    while (true) {
      long t = Long.MAX_VALUE;
      for (String c : engines.keySet()) {
        List<Event> evs = byCluster.get(c);
        int p = pos.get(c);
        if (p < evs.size()) {
          t = Math.min(t, evs.get(p).ts());
        }
      }
      if (t == Long.MAX_VALUE && !ended) {
        ended = true;
        for (ClusterEngine en : engines.values()) {
          en.endOfInput(lastTs == null ? Long.MIN_VALUE : lastTs);
        }
      }
      for (ClusterEngine en : engines.values()) {
        t = Math.min(t, en.nextDue());
      }
      if (t == Long.MAX_VALUE) {
        break;
      }
      for (Map.Entry<String, ClusterEngine> e : engines.entrySet()) {
        String c = e.getKey();
        List<Event> evs = byCluster.get(c);
        int p = pos.get(c);
        List<Event> now = new ArrayList<>();
        while (p < evs.size() && evs.get(p).ts() == t) {
          now.add(evs.get(p++));
        }
        pos.put(c, p);
        if (!now.isEmpty() || e.getValue().nextDue() == t) {
          e.getValue().advance(t, now, outs.get(c));
        }
      }
    }
    long end = lastTs == null ? 0 : lastTs;
    for (List<Line> ls : List.of(commands, results, incidents, alerts)) {
      for (Line l : ls) {
        end = Math.max(end, l.ts());
      }
    }
    for (Map.Entry<String, ClusterEngine> e : engines.entrySet()) {
      e.getValue().giveUpAtEnd(end, outs.get(e.getKey()));
    }
    Files.createDirectories(outDir);
    write(outDir.resolve("commands.jsonl"), commands);
    write(outDir.resolve("results.jsonl"), results);
    write(outDir.resolve("incidents.jsonl"), incidents);
    write(outDir.resolve("alerts.jsonl"), alerts);
    try (Writer w = Files.newBufferedWriter(outDir.resolve("dead-letter.jsonl"))) {
      for (DeadLetterOut d : dead) {
        w.write(JSON.writeValueAsString(d));
        w.write('\n');
      }
    }
    writeSummary(outDir, name, events, dead.size(), late, commands.size(), engines);
    return engines;
  }

  private static void write(Path file, List<Line> lines) throws IOException {
    lines.sort(
        Comparator.comparingLong(Line::ts)
            .thenComparing(Line::cluster)
            .thenComparingLong(Line::seq));
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Line l : lines) {
        w.write(JSON.writeValueAsString(l.value()));
        w.write('\n');
      }
    }
  }

  private static void writeSummary(
      Path outDir,
      String name,
      long events,
      long dead,
      long late,
      int commands,
      Map<String, ClusterEngine> engines)
      throws IOException {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("recording", name);
    s.put("events", events);
    s.put("deadLetters", dead);
    s.put("lateEvents", late);
    s.put("commands", commands);
    List<Map<String, Object>> incs = new ArrayList<>();
    int rec = 0;
    int unp = 0;
    int fail = 0;
    for (ClusterEngine en : engines.values()) {
      for (IncidentFigures f : en.figures()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("incidentId", f.incidentId());
        m.put("kind", f.kind());
        m.put("hosts", f.hosts());
        m.put("state", f.state());
        m.put("openedTs", Times.format(f.openedTs()));
        long start = f.failureStartTs() == null ? f.openedTs() : f.failureStartTs();
        m.put("detectionS", seconds(f.openedTs() - start));
        m.put("firstCommandS", f.firstCommandTs() == null ? null
            : seconds(f.firstCommandTs() - f.openedTs()));
        m.put("lastCommandS", f.lastCommandTs() == null ? null
            : seconds(f.lastCommandTs() - f.openedTs()));
        m.put("recoveryS", f.lastRecoveryTs() == null ? null
            : seconds(f.lastRecoveryTs() - start));
        m.put("vmsRecovered", f.vmsRecovered());
        m.put("vmsUnplaced", f.vmsUnplaced());
        m.put("vmsFailed", f.vmsFailed());
        rec += f.vmsRecovered();
        unp += f.vmsUnplaced();
        fail += f.vmsFailed();
        incs.add(m);
      }
    }
    s.put("incidents", incs);
    s.put("vmsRecovered", rec);
    s.put("vmsUnplaced", unp);
    s.put("vmsFailed", fail);
    JSON.enable(SerializationFeature.INDENT_OUTPUT);
    Files.writeString(outDir.resolve("summary.json"), JSON.writeValueAsString(s));
    JSON.disable(SerializationFeature.INDENT_OUTPUT);
  }

  private static double seconds(long ms) {
    return ms / 1000.0;
  }
}
