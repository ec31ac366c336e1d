package io.vmres.schema.sign;

/** What a signing key signs: the job's commands, or the connectors' results. Never both. */
public enum KeyPurpose {
    COMMANDS,
    RESULTS;

    /** Its name in a keys file: {@code commands} or {@code results}. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
