package io.vmres.deploy.shadow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.Times;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The formats an incumbent's actions are read from: vmres's own JSON Lines ({@code vmres}),
 * OpenStack Masakari notifications ({@code masakari}) and vSphere HA events exported from vCenter
 * ({@code vsphere}). Each reads a file into {@link IncumbentAction}s in time order; a line it
 * cannot read is counted and skipped, never guessed at (docs/adoption.md describes each format).
 */
public enum IncumbentFormat {
    VMRES {
        @Override
        void read(JsonNode n, List<IncumbentAction> out) {
            out.add(
                    new IncumbentAction(
                            Times.parse(n.get("ts").asText()),
                            IncumbentAction.Kind.valueOf(n.get("kind").asText()),
                            text(n, "host"),
                            text(n, "vm"),
                            text(n, "target"),
                            text(n, "detail")));
        }
    },
    MASAKARI {
        @Override
        void read(JsonNode n, List<IncumbentAction> out) {
            MasakariAdapter.read(n, out);
        }
    },
    VSPHERE {
        @Override
        void read(JsonNode n, List<IncumbentAction> out) {
            VsphereAdapter.read(n, out);
        }
    };

    abstract void read(JsonNode line, List<IncumbentAction> out);

    /** The format named {@code vmres}, {@code masakari} or {@code vsphere}. */
    public static IncumbentFormat of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** What a file held: the actions in time order, and the lines that could not be read. */
    public record Read(List<IncumbentAction> actions, List<String> skipped) {}

    /**
     * Reads a file of one JSON object per line; a file whose text is one JSON array (a vCenter
     * export, a Masakari API listing) is read element by element.
     */
    public Read read(Path file) throws IOException {
        ObjectMapper m = new ObjectMapper();
        List<IncumbentAction> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<JsonNode> items = new ArrayList<>();
        String all = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (all.startsWith("[") || (all.startsWith("{") && !all.contains("\n{"))) {
            items(m.readTree(all), items);
        } else {
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                int no = 0;
                while ((line = r.readLine()) != null) {
                    no++;
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        items.add(m.readTree(line));
                    } catch (IOException e) {
                        skipped.add("line " + no + ": not JSON");
                    }
                }
            }
        }
        readAll(items, out, skipped);
        out.sort(Comparator.comparingLong(IncumbentAction::ts));
        return new Read(out, skipped);
    }

    /**
     * Reads the text of one record of the incumbent topic: one JSON object (a line of a file), or
     * an array of them; what cannot be read is added to {@code skipped}, never guessed at.
     */
    public void readRecord(String text, List<IncumbentAction> out, List<String> skipped) {
        List<JsonNode> items = new ArrayList<>();
        try {
            items(new ObjectMapper().readTree(text), items);
        } catch (IOException e) {
            skipped.add(shorten(text) + ": not JSON");
            return;
        }
        readAll(items, out, skipped);
    }

    private void readAll(List<JsonNode> items, List<IncumbentAction> out, List<String> skipped) {
        for (JsonNode n : items) {
            try {
                read(n, out);
            } catch (RuntimeException e) {
                skipped.add(shorten(n.toString()) + ": " + e.getMessage());
            }
        }
    }

    private static void items(JsonNode root, List<JsonNode> items) {
        if (root.isArray()) {
            root.forEach(items::add);
        } else if (root.has("notifications") && root.get("notifications").isArray()) {
            root.get("notifications").forEach(items::add);
        } else {
            items.add(root);
        }
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
