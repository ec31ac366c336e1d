package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * 100,000 bad lines (10 tries of 10,000, from {@link JunkLines}; tagged slow, one try in the fast
 * build), with duplicates and far-late events, mixed into a clean recording: every bad line is one
 * dead letter with its reason, every far-late one a late event, and the commands, results and
 * incidents are those of the clean recording, byte for byte.
 */
class ReplayFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CLEAN =
            Path.of("..", "..", "shared", "scenarios", "single-host-crash.jsonl")
                    .toAbsolutePath()
                    .normalize();

    private static Path tmp;
    private static Path cleanOut;
    private static List<String> cleanLines;

    @BeforeContainer
    static void replayTheCleanRecording() throws Exception {
        tmp = Files.createTempDirectory("vmres-fuzz");
        cleanOut = tmp.resolve("clean");
        LocalReplay.run(CLEAN, cleanOut, Map.of());
        cleanLines = Files.readAllLines(CLEAN, StandardCharsets.UTF_8);
    }

    @AfterContainer
    static void removeFiles() throws IOException {
        try (var s = Files.walk(tmp)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<List<String>> junk() {
        List<String> events =
                cleanLines.stream()
                        .filter(l -> l.startsWith("{") && !l.contains("\"type\":\"meta\""))
                        .limit(2_000)
                        .toList();
        return JunkLines.from(events).list().ofSize(10_000);
    }

    /** 100,000 bad lines: about 50 s. */
    @Property(tries = 10, seed = "20260301")
    @net.jqwik.api.Tag("slow")
    void hundredThousandBadLinesAreDeadLettersAndChangeNoDecision(
            @ForAll("junk") List<String> junk, @ForAll long seed) throws Exception {
        check(junk, seed);
    }

    /** 10,000 bad lines, for the fast build. */
    @Property(tries = 1)
    void badLinesAreDeadLettersAndChangeNoDecision(
            @ForAll("junk") List<String> junk, @ForAll long seed) throws Exception {
        check(junk, seed);
    }

    private void check(List<String> junk, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        // every line of the clean recording, in order, with junk, duplicates and late lines
        // among them (never before the meta line, which must come first)
        List<String> mixed = new ArrayList<>();
        TreeSet<Integer> junkLines = new TreeSet<>();
        TreeSet<Integer> lateLines = new TreeSet<>();
        int duplicates = 0;
        int nextJunk = 0;
        int everyNth = Math.max(1, cleanLines.size() / junk.size());
        mixed.add(cleanLines.get(0));
        for (int i = 1; i < cleanLines.size(); i++) {
            String line = cleanLines.get(i);
            mixed.add(line);
            if (line.contains("\"type\":\"heartbeat\"") && random.nextInt(50) == 0) {
                mixed.add(line); // a duplicate: valid, applied again, changes nothing
                duplicates++;
            }
            if (i > 100 && line.contains("\"type\":\"heartbeat\"") && random.nextInt(200) == 0) {
                // far late: a beat of a day before the recording started
                mixed.add(line.replaceFirst("\"ts\":\"2026-03-01T", "\"ts\":\"2026-02-28T"));
                lateLines.add(mixed.size());
            }
            while (nextJunk < junk.size() && random.nextInt(everyNth + 1) == 0) {
                mixed.add(junk.get(nextJunk++));
                junkLines.add(mixed.size());
            }
        }
        while (nextJunk < junk.size()) {
            mixed.add(junk.get(nextJunk++));
            junkLines.add(mixed.size());
        }
        // and one line past the spec's line bound
        mixed.add("{\"type\":\"heartbeat\",\"x\":\"" + "x".repeat(1_048_576) + "\"}");
        junkLines.add(mixed.size());

        Path recording = tmp.resolve("fuzz-" + seed + ".jsonl");
        Files.write(recording, mixed, StandardCharsets.UTF_8);
        Path out = tmp.resolve("fuzz-" + seed);
        LocalReplay.run(recording, out, Map.of());

        for (String file : List.of("commands.jsonl", "results.jsonl", "incidents.jsonl")) {
            assertThat(Files.readString(out.resolve(file)))
                    .as(file)
                    .isEqualTo(Files.readString(cleanOut.resolve(file)));
        }
        assertThat(withoutLateAlerts(out)).isEqualTo(withoutLateAlerts(cleanOut));

        List<JsonNode> dead = read(out.resolve("dead-letter.jsonl"));
        List<JsonNode> cleanDead = read(cleanOut.resolve("dead-letter.jsonl"));
        TreeSet<Integer> deadLines =
                dead.stream()
                        .map(d -> d.get("line").asInt())
                        .collect(Collectors.toCollection(TreeSet::new));
        TreeSet<Integer> expected = new TreeSet<>(junkLines);
        expected.addAll(lateLines);
        assertThat(cleanDead).as("the clean recording has no bad line").isEmpty();
        assertThat(deadLines).isEqualTo(expected);
        assertThat(dead).hasSize(expected.size());
        assertThat(dead).allSatisfy(d -> assertThat(d.get("reason").asText()).isNotBlank());
        for (JsonNode d : dead) {
            if (lateLines.contains(d.get("line").asInt())) {
                assertThat(d.get("reason").asText()).as("late line").containsIgnoringCase("late");
            }
        }

        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        JsonNode clean = JSON.readTree(cleanOut.resolve("summary.json").toFile());
        assertThat(summary.get("deadLetters").asInt()).isEqualTo(expected.size());
        assertThat(summary.get("lateEvents").asInt())
                .isEqualTo(clean.get("lateEvents").asInt() + lateLines.size());
        assertThat(summary.get("events").asInt())
                .isEqualTo(clean.get("events").asInt() + duplicates);
        Files.delete(recording);
    }

    private static List<String> withoutLateAlerts(Path out) throws IOException {
        return Files.readAllLines(out.resolve("alerts.jsonl")).stream()
                .filter(l -> !l.contains("\"LATE_EVENT\""))
                .toList();
    }

    private static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            nodes.add(JSON.readTree(l));
        }
        return nodes;
    }
}
