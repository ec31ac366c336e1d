package io.vmres.engine.event;

/**
 * A predicted failure of a host, found by the job's health stage: the rule that fired, and the
 * sample (sensor and value) that made it fire. {@code seq} is the sample's, so that a prediction
 * takes the sample's place among the events of its instant.
 */
public record Prediction(long ts, long seq, String host, String rule, String sensor, double value)
        implements Event {
    @Override
    public String type() {
        return "prediction";
    }
}
