package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.Settings;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReplayDriverTest {
  private final Map<String, ScriptedEngine> engines = new TreeMap<>();
  private long timerMs = 1_000_000;
  private final ReplayDriver driver =
      new ReplayDriver(
          Settings.DEFAULTS,
          (cluster, s) -> engines.computeIfAbsent(cluster, c -> new ScriptedEngine(c, timerMs)),
          new ReplayOutputs());

  private static Event hb(long ts, long seq) {
    return new Heartbeat(ts, seq, "h", "mgmt");
  }

  private void offer(String cluster, Event e) {
    driver.offer(new ClusterRouter.Delivery(cluster, e));
  }

  @Test
  void inputWaitsUntilTheWatermarkHasPassedItsInstant() {
    offer("c1", hb(5000, 1));
    driver.watermark(3000);
    assertThat(engines).isEmpty();
    // An event of ts 5000 may still come while the watermark is 5000.
    driver.watermark(5000);
    assertThat(engines).isEmpty();
    driver.watermark(5001);
    assertThat(engines.get("c1").calls).containsExactly("advance 5000 [1]");
  }

  @Test
  void eventsAreHandedOverInTsThenSeqOrderOneCallPerInstant() {
    offer("c1", hb(10_000, 1));
    offer("c1", hb(9_000, 2));
    offer("c1", hb(10_000, 3));
    offer("c1", hb(9_000, 4));
    offer("c2", hb(9_000, 5));
    driver.finish(10_000L);
    assertThat(engines.get("c1").calls)
        .containsExactly("advance 9000 [2,4]", "advance 10000 [1,3]", "endOfInput 10000");
    assertThat(engines.get("c2").calls).containsExactly("advance 9000 [5]", "endOfInput 10000");
  }

  @Test
  void theEnginesOwnInstantsInterleaveWithInput() {
    timerMs = 1000;
    offer("c1", hb(0, 1));
    offer("c1", hb(2500, 2));
    offer("c2", hb(1000, 3));
    driver.watermark(5000);
    assertThat(engines.get("c1").calls)
        .containsExactly("advance 0 [1]", "advance 1000 []", "advance 2500 [2]", "advance 3500 []");
    assertThat(engines.get("c2").calls).containsExactly("advance 1000 [3]", "advance 2000 []");
    // A timer at exactly the next input instant is the same instant: one call.
    offer("c1", hb(6000, 4));
    offer("c1", hb(7000, 5));
    driver.finish(7000L);
    assertThat(engines.get("c1").calls)
        .endsWith("advance 6000 [4]", "advance 7000 [5]", "endOfInput 7000");
    engines.values().forEach(e -> assertThat(e.violations).isEmpty());
  }

  @Test
  void workAfterTheLastEventWaitsForEndOfInput() {
    timerMs = 1000;
    offer("c1", hb(0, 1));
    offer("c1", hb(500, 2));
    driver.finish(500L);
    // The engine drops its timers after the end (1000, 1500): only what it keeps is driven.
    assertThat(engines.get("c1").calls)
        .containsExactly("advance 0 [1]", "advance 500 [2]", "endOfInput 500");
  }

  @Test
  void afterEndOfInputEachEngineRunsUntilNothingIsDue() {
    timerMs = 1000;
    offer("c1", hb(0, 1));
    offer("c1", hb(2000, 2));
    driver.finish(2000L);
    assertThat(engines.get("c1").calls)
        .containsExactly("advance 0 [1]", "advance 1000 []", "advance 2000 [2]", "endOfInput 2000");
    driver.giveUpAtEnd(4000);
    assertThat(engines.get("c1").calls).last().isEqualTo("giveUpAtEnd 4000");
  }

  @Test
  void aClusterSeenLateMayStartEarlierThanOthersAlreadyAre() {
    offer("c1", hb(10_000, 1));
    driver.watermark(20_000);
    // Re-delivered sim-faults of a new cluster carry their old ts: the new engine starts there.
    offer("c2", hb(5_000, 2));
    offer("c2", hb(21_000, 3));
    driver.finish(21_000L);
    assertThat(engines.get("c2").calls)
        .containsExactly("advance 5000 [2]", "advance 21000 [3]", "endOfInput 21000");
    assertThat(driver.clusters()).containsExactly("c1", "c2");
  }

  @Test
  void noEventsNoEngines() {
    driver.finish(null);
    assertThat(engines).isEmpty();
    assertThat(driver.figures()).isEmpty();
    assertThat(List.copyOf(driver.clusters())).isEmpty();
  }
}
