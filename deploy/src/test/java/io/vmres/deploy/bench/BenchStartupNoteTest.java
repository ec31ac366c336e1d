package io.vmres.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A bench figure dominated by start-up says so. */
class BenchStartupNoteTest {
    @Test
    void aRunMostlyStartUpSaysSo() {
        // A 100-host run: 1.9 s of which a replay of no event takes 1.6 s.
        assertThat(Bench.startupNote(1.6, 1.9))
                .hasValueSatisfying(
                        n -> assertThat(n).contains("start-up dominates", "1.60 s", "1.90 s"));
    }

    @Test
    void aRunMostlyWorkSaysNothing() {
        assertThat(Bench.startupNote(1.6, 9.5)).isEmpty();
    }
}
