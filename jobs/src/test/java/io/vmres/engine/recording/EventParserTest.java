package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.Times;
import io.vmres.engine.event.Health;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.Maintenance;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.event.VmEvent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventParserTest {
    private static final String TS = "\"ts\":\"2026-03-01T10:00:00Z\"";

    private static EventParser.ParsedLine parse(String line) {
        return EventParser.parse(line, 7);
    }

    private static void assertBad(String line) {
        assertThat(parse(line)).as(line).isInstanceOf(EventParser.Bad.class);
        assertThat(((EventParser.Bad) parse(line)).reason()).isNotBlank();
    }

    private static <T> T assertValid(String line, Class<T> type) {
        EventParser.ParsedLine p = parse(line);
        assertThat(p).as(line).isInstanceOf(EventParser.Valid.class);
        return type.cast(((EventParser.Valid) p).event());
    }

    private static String heartbeat(String ts) {
        return "{\"type\":\"heartbeat\",\"host\":\"h1\",\"channel\":\"mgmt\",\"ts\":" + ts + "}";
    }

    private static String vm(String extra) {
        return "{\"type\":\"vm\",\"vm\":\"v1\",\"host\":\"h1\",\"cpu\":2,\"memMb\":4096,"
                + TS
                + extra
                + "}";
    }

    private static String health(String value) {
        return "{\"type\":\"health\",\"host\":\"h1\",\"sensor\":\"cpu_temp_c\",\"value\":"
                + value
                + ","
                + TS
                + "}";
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", "   ", "\t \t", "// a comment", "   // an indented comment", "\t//x"})
    void blankAndCommentLinesAreSkipped(String line) {
        assertThat(parse(line)).isInstanceOf(EventParser.Skip.class);
    }

    @Test
    void readsAHostWithItsDefaults() {
        HostEvent h =
                assertValid(
                        "{\"type\":\"host\",\"host\":\"h1\",\"cluster\":\"c1\",\"cpu\":64,\"memMb\":262144,"
                                + TS
                                + "}",
                        HostEvent.class);
        assertThat(h)
                .isEqualTo(
                        new HostEvent(
                                Times.parse("2026-03-01T10:00:00Z"),
                                7,
                                "h1",
                                "c1",
                                64,
                                262144,
                                null,
                                null,
                                "kvm",
                                List.of(),
                                false,
                                true));
    }

    @Test
    void readsAVmWithItsDefaultsAndLists() {
        VmEvent v = assertValid(vm(",\"disks\":[\"d1\",\"d2\"],\"dependsOn\":[]"), VmEvent.class);
        assertThat(v.priority()).isEqualTo(500);
        assertThat(v.ha()).isTrue();
        assertThat(v.disks()).containsExactly("d1", "d2");
        assertThat(v.dependsOn()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{not json",
                "[1,2,3]",
                "\"a string\"",
                "42",
                "{\"type\":\"vm-removed\",\"vm\":\"v1\","
                        + TS
                        + "} {\"type\":\"vm-removed\",\"vm\":\"v1\","
                        + TS
                        + "}",
                "{\"type\":\"vm-removed\",\"vm\":\"v1\"," + TS + "} x",
                "\uFEFF{\"type\":\"vm-removed\",\"vm\":\"v1\"," + TS + "}",
                "{\"type\":\"vm-removed\",\"vm\":\"v1\",\"x\":01," + TS + "}",
                "{\"type\":\"vm-removed\",\"vm\":\"v1\"," + TS + "} // trailing comment"
            })
    void anythingButOneStrictJsonObjectIsBad(String line) {
        assertBad(line);
    }

    @Test
    void nanAndInfinityAreNotJsonEvenInIgnoredFields() {
        assertBad(health("NaN"));
        assertBad(health("-Infinity"));
        assertBad(heartbeat("\"2026-03-01T10:00:00Z\",\"extra\":Infinity"));
    }

    @Test
    void numbersMustFitADouble() {
        assertThat(assertValid(health("1.7976931348623157e308"), Health.class).value())
                .isEqualTo(Double.MAX_VALUE);
        assertBad(health("1e999"));
        assertBad(health("-1e309"));
        assertBad(health("1" + "0".repeat(400)));
        assertThat(assertValid(health("1e-400"), Health.class).value()).isZero();
        assertThat(assertValid(health("-0"), Health.class).value()).isZero();
    }

    @Test
    void hugeNumbersInIgnoredFieldsAreIgnored() {
        assertValid(
                heartbeat("\"2026-03-01T10:00:00Z\",\"extra\":1" + "0".repeat(400)), Object.class);
        assertValid(heartbeat("\"2026-03-01T10:00:00Z\",\"extra\":1e999"), Object.class);
    }

    @Test
    void integersOfMoreThan4300DigitsAreNotJsonAsForTheReferenceChecker() {
        String tsField = "\"2026-03-01T10:00:00Z\",\"extra\":";
        assertValid(heartbeat(tsField + "9".repeat(4300)), Object.class);
        assertValid(heartbeat(tsField + "-" + "9".repeat(4300)), Object.class);
        assertBad(heartbeat(tsField + "9".repeat(4301)));
        assertBad(heartbeat(tsField + "[{\"deep\":" + "9".repeat(4301) + "}]"));
        // Python reads long fractions as floats, whatever their length.
        assertValid(heartbeat(tsField + "0." + "1".repeat(5000)), Object.class);
    }

    @Test
    void priorityIsAnIntegerWrittenWithoutFractionOrExponent() {
        assertThat(assertValid(vm(",\"priority\":-0"), VmEvent.class).priority()).isZero();
        assertThat(assertValid(vm(",\"priority\":1000"), VmEvent.class).priority()).isEqualTo(1000);
        assertBad(vm(",\"priority\":1e2"));
        assertBad(vm(",\"priority\":1E2"));
        assertBad(vm(",\"priority\":100.0"));
        assertBad(vm(",\"priority\":1001"));
        assertBad(vm(",\"priority\":-1"));
        assertBad(vm(",\"priority\":\"100\""));
    }

    @Test
    void countIsAnIntegerAtLeastZero() {
        String f = "{\"type\":\"sim-fault\",\"action\":\"RESTART_VM\",\"count\":%s," + TS + "}";
        assertThat(assertValid(f.formatted("0"), SimFault.class).count()).isZero();
        assertThat(assertValid(f.formatted("99999999999"), SimFault.class).count())
                .isEqualTo(Integer.MAX_VALUE);
        assertBad(f.formatted("100.0"));
        assertBad(f.formatted("-1"));
        assertBad(f.formatted("1" + "0".repeat(400)));
    }

    @Test
    void nullForAnOptionalFieldOfTheRowIsBad() {
        assertBad(vm(",\"antiAffinityGroup\":null"));
        assertBad(vm(",\"priority\":null"));
        assertBad(vm(",\"disks\":null"));
    }

    @Test
    void fieldsOfOtherRowsAreIgnoredWhateverTheirValue() {
        assertValid(
                "{\"type\":\"power\",\"host\":\"h1\",\"state\":\"off\",\"vm\":null,\"cpu\":-5,"
                        + TS
                        + "}",
                Object.class);
        assertValid(vm(",\"channel\":\"nope\",\"deadline\":17"), Object.class);
    }

    @Test
    void fieldValuesAreChecked() {
        assertBad("{\"type\":\"teleport\"," + TS + "}");
        assertBad("{\"type\":3," + TS + "}");
        assertBad("{" + TS + "}");
        assertBad("{\"type\":\"heartbeat\",\"host\":\"h1\"," + TS + "}");
        assertBad("{\"type\":\"heartbeat\",\"host\":\"\",\"channel\":\"mgmt\"," + TS + "}");
        assertBad("{\"type\":\"heartbeat\",\"host\":\"h1\",\"channel\":\"MGMT\"," + TS + "}");
        assertBad("{\"type\":\"heartbeat\",\"host\":\"h1\",\"channel\":\"mgmt\"}");
        assertBad("{\"type\":\"power\",\"host\":\"h1\",\"state\":\"dim\"," + TS + "}");
        assertBad(
                "{\"type\":\"host\",\"host\":\"h1\",\"cluster\":\"c1\",\"cpu\":-1,\"memMb\":1,"
                        + TS
                        + "}");
        assertBad(
                "{\"type\":\"host\",\"host\":\"h1\",\"cluster\":\"c1\",\"cpu\":1,\"memMb\":\"1\","
                        + TS
                        + "}");
        assertBad(
                "{\"type\":\"host\",\"host\":\"h1\",\"cluster\":\"c1\",\"cpu\":1,\"memMb\":1,\"bmc\":\"yes\","
                        + TS
                        + "}");
        assertBad(
                "{\"type\":\"host\",\"host\":\"h1\",\"cluster\":\"c1\",\"cpu\":1,\"memMb\":1,\"storageDomains\":[\"\"],"
                        + TS
                        + "}");
        assertBad(vm(",\"dependsOn\":\"v2\""));
        assertBad("{\"type\":\"sim-fault\",\"action\":\"restart_vm\",\"count\":1," + TS + "}");
        assertBad(
                "{\"type\":\"maintenance\",\"host\":\"h1\",\"deadline\":\"tomorrow\"," + TS + "}");
    }

    @Test
    void duplicateKeysKeepTheLastValue() {
        assertValid(
                "{\"type\":\"power\",\"host\":\"h1\",\"state\":\"dim\",\"state\":\"on\","
                        + TS
                        + "}",
                Object.class);
        assertBad(
                "{\"type\":\"power\",\"host\":\"h1\",\"state\":\"on\",\"state\":\"dim\","
                        + TS
                        + "}");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-03-01T10:00:00+00:00",
                "2026-03-01T10:00:00-00:00",
                "2026-03-01T10:00:00",
                "2026-03-01t10:00:00Z",
                "2026-03-01T10:00:00z",
                "2026-03-01 10:00:00Z",
                "2026-03-01T10:00:60Z",
                "2026-03-01T24:00:00Z",
                "2026-03-01T10:60:00Z",
                "2026-02-30T10:00:00Z",
                "2026-02-29T10:00:00Z",
                "1900-02-29T10:00:00Z",
                "2026-13-01T10:00:00Z",
                "0000-01-01T00:00:00Z",
                "2026-03-01T10:00:00.0004567890Z",
                "2026-03-01T10:00:00.Z",
                "2026-3-01T10:00:00Z",
                "2026-03-01T10:00:0Z",
                "２026-03-01T10:00:00Z"
            })
    void badTimes(String ts) {
        assertBad(heartbeat("\"" + ts + "\""));
        assertThat(EventParser.parseTs(ts)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void aTimeAsANumberIsBad() {
        assertBad(heartbeat("1772359200000"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-03-01T10:00:00Z",
                "2024-02-29T10:00:00Z",
                "2000-02-29T23:59:59.999Z",
                "2026-03-01T10:00:00.1239Z",
                "2026-03-01T10:00:00.5Z",
                "2026-03-01T10:00:00.25Z",
                "2026-03-01T10:00:00.123456789Z",
                "0001-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999Z",
                "1969-12-31T23:59:59.999Z"
            })
    void goodTimesMatchTheReferenceParser(String ts) {
        assertThat(EventParser.parseTs(ts)).isEqualTo(Times.parse(ts));
        assertValid(heartbeat("\"" + ts + "\""), Object.class);
    }

    @Test
    void fractionDigitsPastTheThirdAreTruncated() {
        assertThat(EventParser.parseTs("2026-03-01T10:00:00.1239Z"))
                .isEqualTo(EventParser.parseTs("2026-03-01T10:00:00.123Z"));
        assertThat(EventParser.parseTs("2026-03-01T10:00:00.5Z") % 1000).isEqualTo(500);
    }

    @Test
    void maintenanceDeadlineFollowsTheTimeGrammar() {
        Maintenance m =
                assertValid(
                        "{\"type\":\"maintenance\",\"host\":\"h1\",\"deadline\":\"2026-03-01T11:00:00Z\","
                                + TS
                                + "}",
                        Maintenance.class);
        assertThat(m.deadline()).isEqualTo(Times.parse("2026-03-01T11:00:00Z"));
    }

    @Test
    void metaIsCheckedOnItsOwnRowOnly() {
        assertThat(parse("{\"type\":\"meta\",\"name\":\"x\",\"ts\":\"not a time\"}"))
                .isEqualTo(new EventParser.Meta("x", null));
        assertBad("{\"type\":\"meta\"}");
        assertBad("{\"type\":\"meta\",\"name\":\"x\",\"config\":null}");
        assertBad("{\"type\":\"meta\",\"name\":\"x\",\"config\":{\"heartbeatTimeout\":\"PT0S\"}}");
        assertBad("{\"type\":\"meta\",\"name\":\"x\",\"config\":{\"nope\":1}}");
        assertThat(parse("{\"type\":\"meta\",\"name\":\"x\",\"config\":{\"maxAttempts\":5}}"))
                .isInstanceOf(EventParser.Meta.class);
    }
}
