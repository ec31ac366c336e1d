package io.vmres.connector.power;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One thing that feeds a power domain: a whole power device ({@code pdu-a}) or one of its outlets
 * ({@code pdu-a/A3}).
 *
 * @param source the device's name in the settings
 * @param outlet the outlet's id on that device, or empty for the device as a whole
 */
public record PowerFeed(String source, Optional<String> outlet) {

    /** Parses {@code pdu-a, pdu-a/A3, ups-b}; an empty list is refused. */
    public static List<PowerFeed> parseList(String key, String value) {
        List<PowerFeed> out = new ArrayList<>();
        for (String item : value.split(",")) {
            String s = item.trim();
            if (s.isEmpty()) {
                continue;
            }
            int slash = s.indexOf('/');
            if (slash == 0 || slash == s.length() - 1 || s.indexOf('/', slash + 1) >= 0) {
                throw new IllegalArgumentException(
                        key + ": '" + s + "' is not SOURCE or SOURCE/OUTLET");
            }
            out.add(
                    slash < 0
                            ? new PowerFeed(s, Optional.empty())
                            : new PowerFeed(
                                    s.substring(0, slash), Optional.of(s.substring(slash + 1))));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(key + ": no feed named");
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return outlet.map(o -> source + "/" + o).orElse(source);
    }
}
