package io.vmres.schema.sign;

/**
 * Whether a signed record may be acted on; when not, why (told in the {@code REJECTED} result, the
 * dead letter and the alert).
 */
public record Verdict(boolean valid, String reason) {
    public static final Verdict VALID = new Verdict(true, null);

    public static Verdict refused(String reason) {
        return new Verdict(false, reason);
    }
}
