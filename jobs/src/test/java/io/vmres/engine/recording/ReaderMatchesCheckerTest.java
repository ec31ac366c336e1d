package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads generated recordings full of tricky lines with the reader and with the reference checker
 * ({@code shared/tools/check_replay.py}, where this machine has it): both must find the same bad
 * lines, late lines, event count and name.
 */
class ReaderMatchesCheckerTest {
    private static final Path CHECKER = SharedFiles.CHECKER;

    private static final String[] ROWS = {
        "host:host,cluster,cpu,memMb,rack,powerDomain,hypervisor,storageDomains,spare,bmc",
        "host-removed:host",
        "vm:vm,host,cpu,memMb,priority,ha,antiAffinityGroup,storageDomain,disks,dependsOn",
        "vm-removed:vm",
        "heartbeat:host,channel",
        "power:host,state",
        "health:host,sensor,value,component",
        "maintenance:host,deadline,reason,requestedBy",
        "maintenance-end:host",
        "operator-confirm:host,requestedBy,reason",
        "sim-fault:action,count,host,target,vm",
        "meta:name,description,config"
    };

    private static final Map<String, String> GOOD =
            Map.ofEntries(
                    Map.entry("host", "\"h1\""),
                    Map.entry("cluster", "\"c1\""),
                    Map.entry("cpu", "4"),
                    Map.entry("memMb", "1024.5"),
                    Map.entry("rack", "\"r1\""),
                    Map.entry("powerDomain", "\"p1\""),
                    Map.entry("hypervisor", "\"kvm\""),
                    Map.entry("storageDomains", "[\"sd\"]"),
                    Map.entry("spare", "false"),
                    Map.entry("bmc", "true"),
                    Map.entry("vm", "\"v1\""),
                    Map.entry("priority", "500"),
                    Map.entry("ha", "true"),
                    Map.entry("antiAffinityGroup", "\"g\""),
                    Map.entry("storageDomain", "\"sd\""),
                    Map.entry("disks", "[\"d1\",\"d2\"]"),
                    Map.entry("dependsOn", "[]"),
                    Map.entry("channel", "\"mgmt\""),
                    Map.entry("state", "\"off\""),
                    Map.entry("sensor", "\"pfa\""),
                    Map.entry("value", "1"),
                    Map.entry("component", "\"dimm\""),
                    Map.entry("deadline", "\"2026-03-01T11:00:00Z\""),
                    Map.entry("reason", "\"r\""),
                    Map.entry("requestedBy", "\"op\""),
                    Map.entry("action", "\"RESTART_VM\""),
                    Map.entry("count", "1"),
                    Map.entry("target", "\"h2\""),
                    Map.entry("name", "\"generated\""),
                    Map.entry("description", "\"d\""),
                    Map.entry("config", "{\"maxAttempts\":2}"));

    private static final String[] SCALARS = {
        "0",
        "-0",
        "1",
        "-1",
        "1e2",
        "1E2",
        "100.0",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1e999",
        "-1e309",
        "1e-400",
        "1" + "0".repeat(400),
        "1000",
        "1001",
        "0.5",
        "\"5\"",
        "null",
        "true",
        "false",
        "\"\"",
        "\"x\"",
        "\"on\"",
        "\"storage\"",
        "\"FENCE_HOST\"",
        "\"MGMT\"",
        "\"2026-02-29T10:00:00Z\"",
        "\"2024-02-29T10:00:00Z\"",
        "\"2026-03-01T10:00:00.1234567891Z\"",
        "\"2026-03-01T10:00:00z\"",
        "\"2026-03-01T10:00:60Z\"",
        "\"0001-01-01T00:00:00Z\""
    };

    private static final String[] STRUCTURES = {
        "[]",
        "[\"a\"]",
        "[\"\"]",
        "[1]",
        "[null]",
        "{}",
        "{\"maxAttempts\":0}",
        "{\"nope\":1}",
        "{\"heartbeatTimeout\":\"PT0.5S\"}",
        "{\"heartbeatTimeout\":\"PT0S\"}",
        "{\"smartWindow\":\"PT1.5M\"}",
        "{\"massSilenceFraction\":1}",
        "{\"tempThresholdC\":-4.5}"
    };

    private static final String[] JUNK = {
        "",
        "  ",
        "\t",
        "// comment",
        "   // indented",
        "{",
        "[1,2]",
        "\"s\"",
        "42",
        "{} {}",
        "{}x",
        "\uFEFF{}",
        "{\"a\":1,}",
        "{\"type\":\"heartbeat\",\"x\":NaN}",
        "{\"type\":\"meta\",\"name\":\"m\"}"
    };

    /** Out of order by up to, exactly, or past the 2 s (or 3 s) of allowed disorder. */
    private static final long[] JITTER = {
        -1000, -1999, -2000, -2001, -2999, -3000, -3001, -5000, 500
    };

    private static final Instant BASE = Instant.parse("2026-03-01T10:00:00Z");

    private static String pick(Random r, String[] values) {
        return values[r.nextInt(values.length)];
    }

    private static String time(Random r, long ms) {
        String s = BASE.plusMillis(ms).toString(); // 2026-03-01T10:00:00Z or ...:00.250Z
        int style = r.nextInt(3);
        if (style == 1 && !s.contains(".")) {
            return s.replace("Z", ".000Z");
        }
        if (style == 2) {
            return s.replace("Z", "").concat(s.contains(".") ? "987Z" : ".5Z");
        }
        return s;
    }

    /** A recording of {@code n} lines, mostly valid, some bad, some late, with mixed breaks. */
    static String generate(Random r, int n, double mutation) {
        StringBuilder out = new StringBuilder();
        List<String> lines = new ArrayList<>();
        if (r.nextDouble() < 0.7) {
            lines.add(
                    "{\"type\":\"meta\",\"name\":\"generated\",\"config\":"
                            + (r.nextBoolean()
                                    ? "{\"outOfOrderness\":\"PT3S\"}"
                                    : pick(r, STRUCTURES))
                            + "}");
        }
        for (int i = 0; i < n; i++) {
            if (r.nextDouble() < 0.03) {
                lines.add(pick(r, JUNK));
                continue;
            }
            String[] row = pick(r, ROWS).split(":");
            List<String> fields = new ArrayList<>();
            fields.add(
                    "\"type\":"
                            + (r.nextDouble() < 0.01 ? pick(r, SCALARS) : "\"" + row[0] + "\""));
            for (String f : row[1].split(",")) {
                double q = r.nextDouble() / mutation;
                if (q < 0.04) {
                    continue;
                }
                boolean time = f.equals("deadline");
                String v =
                        q < 0.12
                                ? pick(r, SCALARS)
                                : q < 0.16 && !time ? pick(r, STRUCTURES) : GOOD.get(f);
                fields.add("\"" + f + "\":" + v);
            }
            if (!row[0].equals("meta") || r.nextBoolean()) {
                long jitter = r.nextDouble() < 0.9 ? 0 : JITTER[r.nextInt(JITTER.length)];
                String ts =
                        r.nextDouble() < 0.05 * mutation
                                ? pick(r, SCALARS)
                                : "\"" + time(r, i * 40L + jitter) + "\"";
                fields.add("\"ts\":" + ts);
            }
            if (r.nextDouble() < 0.1) {
                fields.add(
                        "\"extra\":" + (r.nextBoolean() ? pick(r, SCALARS) : pick(r, STRUCTURES)));
            }
            if (r.nextDouble() < 0.05) {
                fields.add(fields.get(r.nextInt(fields.size())));
            }
            Collections.shuffle(fields, r);
            String[] space = {"", " ", "\t"};
            lines.add(pick(r, space) + "{" + String.join(",", fields) + "}" + pick(r, space));
        }
        for (String l : lines) {
            out.append(l).append(pick(r, new String[] {"\n", "\n", "\n", "\n", "\r\n", "\r"}));
        }
        return out.toString();
    }

    /** The checker's verdict, one line per dead letter ("LINE B" or "LINE L"), then the counts. */
    private static List<String> checkerVerdict(Path recording) throws Exception {
        String script =
                String.join(
                        "\n",
                        "import sys",
                        "sys.path.insert(0, sys.argv[1])",
                        "import check_replay as c",
                        "r = c.Recording(sys.argv[2], {})",
                        "for no in sorted(set(r.bad) | r.late):",
                        "    print(no, 'L' if no in r.late else 'B')",
                        "print('events', r.n_applied, 'late', len(r.late))",
                        "print('name', r.meta['name'] if r.meta else None)");
        Process p =
                new ProcessBuilder(
                                "python3",
                                "-c",
                                script,
                                CHECKER.getParent().toString(),
                                recording.toString())
                        .redirectErrorStream(true)
                        .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(text).isZero();
        return text.lines().toList();
    }

    private static List<String> readerVerdict(Path recording) throws Exception {
        List<String> out = new ArrayList<>();
        try (RecordingReader r = RecordingReader.open(recording, Map.of())) {
            while (r.hasNext()) {
                RecordingReader.Item item = r.next();
                if (item instanceof RecordingReader.BadLine b) {
                    out.add(b.deadLetter().line() + " B");
                } else if (item instanceof RecordingReader.LateLine l) {
                    out.add(l.deadLetter().line() + " L");
                }
            }
            out.add("events " + r.events() + " late " + r.lateEvents());
            out.add("name " + (r.name().equals("mixed") ? "None" : r.name()));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void badAndLateLinesAreThoseTheReferenceCheckerFinds(long seed, @TempDir Path dir)
            throws Exception {
        SharedFiles.require(CHECKER);
        Random r = new Random(seed);
        Path recording = dir.resolve("mixed.jsonl");
        String text = generate(r, 4000, seed % 2 == 0 ? 0.2 : 1);
        Files.writeString(recording, text, StandardCharsets.UTF_8);
        List<String> mine = readerVerdict(recording);
        assertThat(mine).isEqualTo(checkerVerdict(recording));
        // The mix must hold every kind of line for the comparison to mean something.
        assertThat(mine).filteredOn(l -> l.endsWith(" B")).hasSizeGreaterThan(100);
        assertThat(mine).filteredOn(l -> l.endsWith(" L")).hasSizeGreaterThan(20);
        assertThat(Long.parseLong(mine.get(mine.size() - 2).split(" ")[1])).isGreaterThan(1000);
    }
}
