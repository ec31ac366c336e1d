package io.vmres.engine.whatif;

import java.util.Locale;

/**
 * One failure a what-if question asks about: a host, a rack or a power domain whose hosts all stop
 * at the question's time.
 *
 * @param kind what fails
 * @param id the host, rack or power domain id, as in the inventory
 */
public record Failure(Kind kind, String id) {

    /** What a failure takes down. */
    public enum Kind {
        HOST("host"),
        RACK("rack"),
        POWER_DOMAIN("pd");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        /** The prefix of its written form ({@code host:}, {@code rack:}, {@code pd:}). */
        public String prefix() {
            return prefix;
        }
    }

    public Failure {
        if (kind == null || id == null || id.isBlank()) {
            throw new IllegalArgumentException("a failure needs a kind and an id");
        }
    }

    /** Reads {@code host:h-12}, {@code rack:r02} or {@code pd:pd03}. */
    public static Failure parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(
                    "a failure is host:ID, rack:ID or pd:ID, got '" + text + "'");
        }
        String prefix = text.substring(0, colon).toLowerCase(Locale.ROOT);
        String id = text.substring(colon + 1);
        for (Kind k : Kind.values()) {
            if (k.prefix.equals(prefix)
                    || (k == Kind.POWER_DOMAIN && prefix.equals("powerdomain"))) {
                return new Failure(k, id);
            }
        }
        throw new IllegalArgumentException(
                "a failure is host:ID, rack:ID or pd:ID, got '" + text + "'");
    }

    @Override
    public String toString() {
        return kind.prefix + ":" + id;
    }
}
