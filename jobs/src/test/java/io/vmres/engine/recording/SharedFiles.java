package io.vmres.engine.recording;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's shared files beside the checkout, {@code ../shared}: the spec's scenarios and its
 * reference checker. Tests run in the module's folder, so the checkout's root is {@code ..}.
 */
final class SharedFiles {
    /** {@code ../shared} of the checkout. */
    static final Path DIR = Path.of("..", "..", "shared").toAbsolutePath().normalize();

    static final Path SCENARIOS = DIR.resolve("scenarios");
    static final Path CHECKER = DIR.resolve("tools").resolve("check_replay.py");

    private SharedFiles() {}

    /**
     * {@code path}, a file of the shared folder. A checkout without {@code ../shared} skips the
     * test, saying so; with it, a missing file fails the test rather than skipping it.
     */
    static Path require(Path path) {
        assumeTrue(Files.isDirectory(DIR), "no shared folder beside the checkout: " + DIR);
        assertTrue(Files.exists(path), path + " is missing from the shared folder");
        return path;
    }
}
