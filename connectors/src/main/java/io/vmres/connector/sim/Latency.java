package io.vmres.connector.sim;

import java.time.Duration;
import java.util.Random;

/**
 * A simulated call's duration, drawn from a distribution: uniform in {@code [mean − jitter, mean +
 * jitter]} ({@link #of}), or log-normal around a median ({@link #logNormal}: most calls near it, a
 * long tail of slow ones, as real hypervisor calls go). Never below 0.
 *
 * @param mean the mean of a uniform latency, the median of a log-normal one
 * @param jitter half the width of a uniform latency (0 for a log-normal one)
 * @param sigma the standard deviation of the logarithm of a log-normal latency; 0 for uniform
 */
public record Latency(Duration mean, Duration jitter, double sigma) {
    public static final Latency NONE = new Latency(Duration.ZERO, Duration.ZERO);

    public Latency {
        if (mean.isNegative() || jitter.isNegative() || sigma < 0 || Double.isNaN(sigma)) {
            throw new IllegalArgumentException("latency must not be negative");
        }
    }

    /** A uniform latency. */
    public Latency(Duration mean, Duration jitter) {
        this(mean, jitter, 0);
    }

    public static Latency of(Duration mean, Duration jitter) {
        return new Latency(mean, jitter);
    }

    public static Latency fixed(Duration d) {
        return new Latency(d, Duration.ZERO);
    }

    /**
     * A log-normal latency: {@code median · e^(sigma · N(0,1))}. With sigma 0.5, one call in six
     * takes more than 1.65 times the median, one in forty more than 2.7 times.
     */
    public static Latency logNormal(Duration median, double sigma) {
        if (sigma <= 0) {
            throw new IllegalArgumentException("sigma must be positive, was " + sigma);
        }
        return new Latency(median, Duration.ZERO, sigma);
    }

    /** Draws one duration with the given generator. */
    public Duration draw(Random random) {
        return Duration.ofMillis(drawMillis(random));
    }

    long drawMillis(Random random) {
        if (sigma > 0) {
            return Math.round(mean.toMillis() * Math.exp(sigma * random.nextGaussian()));
        }
        long j = jitter.toMillis();
        long offset = j == 0 ? 0 : (long) ((random.nextDouble() * 2 - 1) * j);
        return Math.max(0, mean.toMillis() + offset);
    }
}
