package io.vmres.connector.power;

import io.vmres.schema.PowerState;
import java.util.Locale;
import java.util.Map;

/**
 * The power-domain connector's metrics, in Prometheus's text format (for {@code /metrics}) and as
 * one {@code key=value} line (for its log). docs/operations.md lists every metric.
 */
public final class PduMetrics {
    private PduMetrics() {}

    /** The metrics of a poller now, in Prometheus's text exposition format 0.0.4. */
    public static String prometheus(PowerDomainPoller p) {
        StringBuilder b = new StringBuilder(2048);
        header(b, "vmres_pdu_rounds_total", "counter", "Rounds of reading every power device.");
        b.append("vmres_pdu_rounds_total ").append(p.rounds()).append('\n');
        labelled(
                b,
                "vmres_pdu_device_reads_total",
                "Reads of a power device, by outcome: answered, or unknown (no usable answer).",
                "source",
                "outcome",
                p.reads());
        labelled(
                b,
                "vmres_pdu_readings_total",
                "power-domain readings published, by domain and state.",
                "domain",
                "state",
                p.readings());
        header(
                b,
                "vmres_pdu_domain_state",
                "gauge",
                "1 for the state of a domain's latest reading, 0 for the others.");
        for (Map.Entry<String, PowerState> d : p.latest().entrySet()) {
            for (PowerState s : PowerState.values()) {
                b.append("vmres_pdu_domain_state{domain=\"")
                        .append(escape(d.getKey()))
                        .append("\",state=\"")
                        .append(s.name())
                        .append("\"} ")
                        .append(d.getValue() == s ? 1 : 0)
                        .append('\n');
            }
        }
        header(
                b,
                "vmres_pdu_publish_failures_total",
                "counter",
                "Readings that Kafka did not take.");
        b.append("vmres_pdu_publish_failures_total ").append(p.publishFailures()).append('\n');
        return b.toString();
    }

    /** One line for the log: rounds, then each domain's latest state. */
    public static String line(PowerDomainPoller p) {
        StringBuilder b =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "metrics rounds=%d publishFailures=%d",
                                p.rounds(),
                                p.publishFailures()));
        p.latest().forEach((d, s) -> b.append(' ').append(d).append('=').append(s));
        return b.toString();
    }

    /** A counter with two labels, one series per pair of values. */
    private static void labelled(
            StringBuilder b,
            String name,
            String help,
            String label1,
            String label2,
            Map<String, Map<String, Long>> values) {
        header(b, name, "counter", help);
        for (Map.Entry<String, Map<String, Long>> e : values.entrySet()) {
            for (Map.Entry<String, Long> v : e.getValue().entrySet()) {
                b.append(name)
                        .append('{')
                        .append(label1)
                        .append("=\"")
                        .append(escape(e.getKey()))
                        .append("\",")
                        .append(label2)
                        .append("=\"")
                        .append(escape(v.getKey()))
                        .append("\"} ")
                        .append(v.getValue())
                        .append('\n');
            }
        }
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
