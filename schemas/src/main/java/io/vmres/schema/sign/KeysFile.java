package io.vmres.schema.sign;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A keys file and the keys read from it, read again when it changes (checked at most every {@link
 * #RECHECK}): a rotation needs no restart. A change that does not parse keeps the keys read before,
 * told in the log; a file that never parsed fails at once.
 */
public final class KeysFile {
    private static final Logger LOG = LoggerFactory.getLogger(KeysFile.class);

    /** How often the file's modification time is looked at. */
    public static final Duration RECHECK = Duration.ofSeconds(5);

    private final Path path;
    private SigningKeys keys;
    private FileTime modified;
    private long checkedNanos;

    private KeysFile(Path path, SigningKeys keys, FileTime modified) {
        this.path = path;
        this.keys = keys;
        this.modified = modified;
        this.checkedNanos = System.nanoTime();
    }

    /**
     * Reads the keys file at {@code path}.
     *
     * @throws IllegalArgumentException when it cannot be read or holds a bad key
     */
    public static KeysFile open(Path path) {
        FileTime t = modifiedTime(path);
        return new KeysFile(path, SigningKeys.load(path), t);
    }

    public Path path() {
        return path;
    }

    /** The keys now: read again if the file changed since. */
    public synchronized SigningKeys current() {
        long now = System.nanoTime();
        if (now - checkedNanos >= RECHECK.toNanos()) {
            checkedNanos = now;
            FileTime t = modifiedTimeOrNull(path);
            if (t != null && !t.equals(modified)) {
                try {
                    keys = SigningKeys.load(path);
                    modified = t;
                    LOG.info("event=keys-reloaded file={}", path);
                } catch (IllegalArgumentException e) {
                    LOG.warn(
                            "event=keys-unreadable file={} keeping the keys read before: {}",
                            path,
                            e.getMessage());
                }
            }
        }
        return keys;
    }

    /** Reads the file again now, whatever its time says (tests, and an operator's reload). */
    public synchronized SigningKeys reload() {
        keys = SigningKeys.load(path);
        modified = modifiedTimeOrNull(path);
        checkedNanos = System.nanoTime();
        return keys;
    }

    private static FileTime modifiedTime(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the keys file " + path + ": " + e, e);
        }
    }

    private static FileTime modifiedTimeOrNull(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            return null;
        }
    }
}
