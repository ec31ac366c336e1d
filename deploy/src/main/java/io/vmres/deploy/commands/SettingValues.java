package io.vmres.deploy.commands;

import io.vmres.deploy.cli.DurationConverter;
import io.vmres.engine.Settings;
import io.vmres.engine.recording.SettingsParser;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Settings as an operator writes them ({@code --set}, {@code --config}): known keys only, and a
 * duration in any form the command line's duration options take ({@code 5s}, {@code 2m}) besides
 * ISO-8601. Recordings keep the spec's strict ISO-8601 ({@link SettingsParser}).
 */
public final class SettingValues {
    private SettingValues() {}

    /**
     * The overrides with every duration in ISO-8601, checked as a replay checks them.
     *
     * @throws IllegalArgumentException for an unknown key (naming the nearest and every known one)
     *     or a bad value
     */
    public static Map<String, String> normalize(Map<String, String> overrides) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String key = e.getKey();
            if (!SettingsParser.KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        "unknown setting '"
                                + key
                                + "'; did you mean "
                                + nearest(key)
                                + "? The settings are: "
                                + String.join(", ", SettingsParser.KEYS)
                                + " (docs/settings.md)");
            }
            out.put(key, isDuration(key) ? duration(key, e.getValue()) : e.getValue());
        }
        SettingsParser.applyOverrides(Settings.DEFAULTS, out); // throws naming a bad value
        return out;
    }

    /** The known key at the least edit distance from {@code key}, case aside. */
    static String nearest(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return SettingsParser.KEYS.stream()
                .min(
                        Comparator.comparingInt(
                                (String known) -> distance(k, known.toLowerCase(Locale.ROOT))))
                .orElseThrow();
    }

    private static boolean isDuration(String key) {
        return SettingsParser.toJson(Settings.DEFAULTS).get(key).isTextual();
    }

    private static String duration(String key, String value) {
        String v = value.trim();
        if (v.isEmpty() || v.startsWith("P") || v.startsWith("\"")) {
            return v; // ISO-8601 or JSON: the strict parser judges it
        }
        try {
            Duration d = DurationConverter.parse(v);
            return d.toString();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    key + " must be a duration such as 5s, 2m or PT5S, got \"" + value + "\"", e);
        }
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
