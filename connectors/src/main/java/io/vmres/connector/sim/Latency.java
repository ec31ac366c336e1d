package io.vmres.connector.sim;

import java.time.Duration;
import java.util.Random;

/**
 * A simulated call's duration: uniform in {@code [mean − jitter, mean + jitter]}, never below 0.
 */
public record Latency(Duration mean, Duration jitter) {
  public static final Latency NONE = new Latency(Duration.ZERO, Duration.ZERO);

  public Latency {
    if (mean.isNegative() || jitter.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative");
    }
  }

  public static Latency of(Duration mean, Duration jitter) {
    return new Latency(mean, jitter);
  }

  public static Latency fixed(Duration d) {
    return new Latency(d, Duration.ZERO);
  }

  long drawMillis(Random random) {
    long j = jitter.toMillis();
    long offset = j == 0 ? 0 : (long) ((random.nextDouble() * 2 - 1) * j);
    return Math.max(0, mean.toMillis() + offset);
  }
}
