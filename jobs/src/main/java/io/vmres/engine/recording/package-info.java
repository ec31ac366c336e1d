/**
 * Replay around the decision engine, without Flink types: reading recordings ({@link
 * io.vmres.engine.recording.RecordingReader}, {@link io.vmres.engine.recording.EventParser}, {@link
 * io.vmres.engine.recording.SettingsParser}), keying events by cluster ({@link
 * io.vmres.engine.recording.ClusterRouter}), driving cluster engines in event time ({@link
 * io.vmres.engine.recording.ReplayDriver}) and writing the replay's files ({@link
 * io.vmres.engine.recording.ReplayOutputs}); {@link io.vmres.engine.recording.LocalReplay} puts
 * them together in one JVM. The rules are those of {@code shared/spec/recording-format.md}.
 */
package io.vmres.engine.recording;
