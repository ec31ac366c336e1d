package io.vmres.deploy.commands;

import java.util.Locale;

/** Counts in words for what commands print: "1 incident", "2 incidents", "1,000 VMs". */
public final class Words {
    private Words() {}

    /** {@code n} and the noun, plural unless {@code n} is 1: an {@code s} appended. */
    public static String count(long n, String singular) {
        return count(n, singular, singular + "s");
    }

    /** {@code n} and the noun, {@code plural} unless {@code n} is 1 ("1 crash", "2 crashes"). */
    public static String count(long n, String singular, String plural) {
        return String.format(Locale.ROOT, "%,d %s", n, n == 1 ? singular : plural);
    }
}
