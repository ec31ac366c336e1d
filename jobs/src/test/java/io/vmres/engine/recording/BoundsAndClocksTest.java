package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.ClockRule;
import io.vmres.engine.Times;
import io.vmres.engine.event.ClockSkew;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spec's Bounds (Validation and serialization) and Wrong clocks (Common rules). */
class BoundsAndClocksTest {
    private static final String TS = "\"ts\":\"2026-03-01T10:00:00Z\"";

    private static EventParser.ParsedLine parse(String line) {
        return EventParser.parse(line, 1);
    }

    private static String reason(String line) {
        EventParser.ParsedLine p = parse(line);
        assertThat(p)
                .as(line.length() > 80 ? line.substring(0, 80) : line)
                .isInstanceOf(EventParser.Bad.class);
        return ((EventParser.Bad) p).reason();
    }

    private static String heartbeatOf(String host) {
        return "{\"type\":\"heartbeat\",\"host\":\"" + host + "\",\"channel\":\"mgmt\"," + TS + "}";
    }

    @Test
    void aLineOfMoreThanAMebiCharactersIsBadBeforeAnyParsing() {
        String head = heartbeatOf("h1");
        String fits = head + " ".repeat(EventParser.MAX_LINE_CHARS - head.length());
        assertThat(parse(fits)).isInstanceOf(EventParser.Valid.class);
        assertThat(reason(fits + " ")).contains("longer than 1048576");
        // not JSON at all, and huge: still told as too long, never parsed
        assertThat(reason("{" + "[".repeat(EventParser.MAX_LINE_CHARS))).contains("longer than");
    }

    @Test
    void charactersAreCodePointsNotUtf16Units() {
        // 256 characters outside the BMP: 512 UTF-16 units, still an identifier of 256 characters
        String host = "\uD83D\uDE00".repeat(256);
        assertThat(parse(heartbeatOf(host))).isInstanceOf(EventParser.Valid.class);
        assertThat(reason(heartbeatOf(host + "x"))).contains("host").contains("256");
    }

    @Test
    void nestingDeeperThanSixtyFourIsBad() {
        // the line's object is depth 1: an ignored field holding 63 nested arrays makes depth 64
        String ok =
                "{\"type\":\"heartbeat\",\"host\":\"h1\",\"channel\":\"mgmt\","
                        + TS
                        + ",\"x\":"
                        + "[".repeat(63)
                        + "]".repeat(63)
                        + "}";
        assertThat(parse(ok)).isInstanceOf(EventParser.Valid.class);
        String deep =
                "{\"type\":\"heartbeat\",\"host\":\"h1\",\"channel\":\"mgmt\","
                        + TS
                        + ",\"x\":"
                        + "[".repeat(64)
                        + "]".repeat(64)
                        + "}";
        assertThat(reason(deep)).contains("nested more than 64");
        // a stack-exhausting line is told as such, not thrown
        String abyss = "{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThat(reason(abyss)).contains("nested");
    }

    @Test
    void identifiersHoldAtMost256AndFreeTextsAtMost4096Characters() {
        assertThat(parse(heartbeatOf("h".repeat(256)))).isInstanceOf(EventParser.Valid.class);
        assertThat(reason(heartbeatOf("h".repeat(257)))).contains("bad host");
        String vm = "{\"type\":\"vm\",\"vm\":\"v1\",\"host\":\"h1\",\"cpu\":1,\"memMb\":1," + TS;
        assertThat(parse(vm + ",\"disks\":[\"" + "d".repeat(256) + "\"]}"))
                .isInstanceOf(EventParser.Valid.class);
        assertThat(reason(vm + ",\"disks\":[\"d\",\"" + "d".repeat(257) + "\"]}"))
                .contains("disks");
        String confirm = "{\"type\":\"operator-confirm\",\"host\":\"h1\"," + TS + ",\"reason\":\"";
        assertThat(parse(confirm + "r".repeat(4096) + "\"}")).isInstanceOf(EventParser.Valid.class);
        assertThat(reason(confirm + "r".repeat(4097) + "\"}")).contains("reason").contains("4096");
        // the host name of 70,000 characters that once stopped a replay is one dead letter
        assertThat(reason(heartbeatOf("h".repeat(70_000)))).contains("bad host");
    }

    @Test
    void recvTsIsCheckedAsATimeWhenPresent() {
        String hb = "{\"type\":\"heartbeat\",\"host\":\"h1\",\"channel\":\"mgmt\"," + TS;
        EventParser.ParsedLine p = parse(hb + ",\"recvTs\":\"2026-03-01T10:00:00.5Z\"}");
        assertThat(((EventParser.Valid) p).recvTs())
                .isEqualTo(Times.parse("2026-03-01T10:00:00.500Z"));
        assertThat(((EventParser.Valid) parse(hb + "}")).recvTs()).isEqualTo(ClockRule.NO_RECV_TS);
        assertThat(reason(hb + ",\"recvTs\":null}")).contains("recvTs");
        assertThat(reason(hb + ",\"recvTs\":\"2026-03-01 10:00:00Z\"}")).contains("recvTs");
        assertThat(reason(hb + ",\"recvTs\":1772359200000}")).contains("recvTs");
    }

    @Test
    void skewIsStrictlyMoreThanTheSettingEitherWay() {
        ClockRule rule = new ClockRule(1000);
        assertThat(rule.effectiveTs(10_000, 11_000)).isEqualTo(10_000);
        assertThat(rule.effectiveTs(12_000, 11_000)).isEqualTo(12_000);
        assertThat(rule.effectiveTs(10_000, 11_001)).isEqualTo(11_001);
        assertThat(rule.effectiveTs(12_001, 11_000)).isEqualTo(11_000);
        assertThat(rule.effectiveTs(Long.MAX_VALUE, -5)).isEqualTo(-5);
        assertThat(rule.effectiveTs(Long.MIN_VALUE + 1, 5)).isEqualTo(5);
        assertThat(rule.effectiveTs(42, ClockRule.NO_RECV_TS)).isEqualTo(42);
    }

    @Test
    void aWrongClockTakesItsArrivalTimeSoItIsNeitherLateNorPushesTimeAhead() {
        String text =
                String.join(
                        "\n",
                        line("h1", "10:00:10", "10:00:10"),
                        // stamped a year ahead, arrived on time: applied at its arrival
                        line("h2", "2027-03-01T10:00:11", "10:00:11"),
                        // an honest clock right after: not late behind the year-ahead stamp
                        line("h3", "10:00:11.5", "10:00:11.5"),
                        // 25 s slow: applied at arrival, not as a late event
                        line("h4", "10:00:-13", "10:00:12"),
                        // within the skew: its own ts stands
                        line("h5", "10:00:11", "10:00:12"));
        RecordingReader r = RecordingReader.of(new StringReader(text), "clocks.jsonl", Map.of());
        List<Long> ts = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        r.forEachRemaining(
                i -> {
                    Event e = ((RecordingReader.EventItem) i).event();
                    if (e instanceof ClockSkew c) {
                        // the note right after its event, for the CLOCK_SKEW alert
                        notes.add(c.host() + " " + Times.format(c.claimedTs()) + " " + ts.size());
                    } else {
                        ts.add(((Heartbeat) e).ts());
                    }
                });
        assertThat(notes)
                .containsExactly("h2 2027-03-01T10:00:11.000Z 2", "h4 2026-03-01T09:59:47.000Z 4");
        assertThat(ts)
                .containsExactly(
                        t("10:00:10"),
                        t("10:00:11"),
                        t("10:00:11.5"),
                        t("10:00:12"),
                        t("10:00:11"));
        assertThat(r.lateEvents()).isZero();
        assertThat(r.retimedEvents()).isEqualTo(2);
    }

    @Test
    void theSkewComesFromTheMetaConfig() {
        String text =
                "{\"type\":\"meta\",\"name\":\"m\",\"config\":{\"maxClockSkew\":\"PT30S\"}}\n"
                        + line("h1", "10:00:00", "10:00:25");
        RecordingReader r = RecordingReader.of(new StringReader(text), "m.jsonl", Map.of());
        assertThat(r.settings().maxClockSkewMs()).isEqualTo(30_000);
        assertThat(((RecordingReader.EventItem) r.next()).event().ts()).isEqualTo(t("10:00:00"));
    }

    private static long t(String hms) {
        return Times.parse("2026-03-01T" + hms + "Z");
    }

    private static String line(String host, String ts, String recv) {
        String t = ts.contains("T") ? ts + "Z" : slow(ts);
        return "{\"type\":\"heartbeat\",\"host\":\""
                + host
                + "\",\"channel\":\"mgmt\",\"ts\":\""
                + t
                + "\",\"recvTs\":\"2026-03-01T"
                + recv
                + "Z\"}";
    }

    /** "10:00:-13" is 13 s before 10:00:00. */
    private static String slow(String hms) {
        if (hms.contains("-")) {
            return "2026-03-01T09:59:" + (60 - Integer.parseInt(hms.substring(7))) + "Z";
        }
        return "2026-03-01T" + hms + "Z";
    }
}
