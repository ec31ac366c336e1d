package io.vmres.connector.runtime;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A connector service's metrics in Prometheus's text exposition format (version 0.0.4): what {@link
 * MetricsServer} answers on {@code /metrics}. docs/operations.md lists every metric.
 */
public final class PrometheusText {
    /** The content type of the format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {}

    /** The metrics of a service now. */
    public static String of(ConnectorService service) {
        StringBuilder b = new StringBuilder();
        // a service whose poll thread ended says so, rather than serving frozen counters
        gauge(
                b,
                "vmres_connector_up",
                "1 while the service reads commands, 0 once it stopped (its log says why).",
                service.isRunning() ? 1 : 0);
        return b + of(service.counters(), service.outcomes());
    }

    public static String of(ConnectorCounters c, CommandOutcomes outcomes) {
        StringBuilder b = new StringBuilder(4096);
        counter(
                b,
                "vmres_connector_commands_received_total",
                "Command records read.",
                c.received());
        counter(b, "vmres_connector_calls_total", "Calls made to the hypervisor.", c.run());
        gauge(b, "vmres_connector_commands_running", "Calls in flight now.", c.running());
        gauge(b, "vmres_connector_commands_queued", "Commands waiting for a slot.", c.queued());

        header(b, "vmres_connector_commands_total", "counter", "Commands answered.");
        for (Map.Entry<String, TreeMap<Outcome.Status, Long>> a : outcomes.counts().entrySet()) {
            for (Map.Entry<Outcome.Status, Long> s : a.getValue().entrySet()) {
                b.append("vmres_connector_commands_total{action=\"")
                        .append(escape(a.getKey()))
                        .append("\",outcome=\"")
                        .append(s.getKey().name())
                        .append("\"} ")
                        .append(s.getValue())
                        .append('\n');
            }
        }

        String h = "vmres_connector_command_latency_seconds";
        header(b, h, "histogram", "Time from the start of a call to its answer.");
        for (Map.Entry<String, CommandOutcomes.LatencySnapshot> a : outcomes.latency().entrySet()) {
            String action = escape(a.getKey());
            CommandOutcomes.LatencySnapshot l = a.getValue();
            long cumulative = 0;
            for (int i = 0; i < l.buckets().length; i++) {
                cumulative += l.buckets()[i];
                String le =
                        i < CommandOutcomes.LATENCY_BUCKETS_SECONDS.length
                                ? number(CommandOutcomes.LATENCY_BUCKETS_SECONDS[i])
                                : "+Inf";
                b.append(h)
                        .append("_bucket{action=\"")
                        .append(action)
                        .append("\",le=\"")
                        .append(le)
                        .append("\"} ")
                        .append(cumulative)
                        .append('\n');
            }
            b.append(h)
                    .append("_sum{action=\"")
                    .append(action)
                    .append("\"} ")
                    .append(number(l.sumMillis() / 1000.0))
                    .append('\n');
            b.append(h)
                    .append("_count{action=\"")
                    .append(action)
                    .append("\"} ")
                    .append(l.count())
                    .append('\n');
        }

        counter(
                b,
                "vmres_connector_retries_total",
                "Calls made again after a transient error.",
                c.retries());
        counter(
                b,
                "vmres_connector_duplicates_total",
                "Deliveries of a command id already seen.",
                c.duplicates());
        counter(
                b,
                "vmres_connector_dead_letters_total",
                "Records that were no command.",
                c.deadLetters());
        counter(
                b,
                "vmres_connector_in_doubt_total",
                "Commands found started but not answered by a predecessor.",
                c.inDoubt());
        counter(b, "vmres_connector_skipped_total", "Commands for another connector.", c.skipped());
        counter(
                b,
                "vmres_connector_settled_total",
                "Commands past their timeout settled on their target.",
                c.settled());
        counter(
                b,
                "vmres_connector_unsettled_total",
                "Commands past their timeout answered in doubt.",
                c.unsettled());
        counter(
                b,
                "vmres_connector_conflicts_total",
                "Commands refused: their id is known with other fields.",
                c.conflicts());
        counter(
                b,
                "vmres_connector_rejected_total",
                "Commands refused unrun: unsigned, forged, altered, stale or replayed.",
                c.rejected());
        counter(
                b,
                "vmres_connector_ledger_skipped_total",
                "Unreadable ledger entries skipped while loading.",
                c.ledgerSkipped());
        counter(
                b,
                "vmres_connector_ledger_expired_total",
                "Ledger entries removed past their retention.",
                c.ledgerExpired());
        return b.toString();
    }

    private static void counter(StringBuilder b, String name, String help, long value) {
        header(b, name, "counter", help);
        b.append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder b, String name, String help, long value) {
        header(b, name, "gauge", help);
        b.append(name).append(' ').append(value).append('\n');
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15
                ? String.format(Locale.ROOT, "%.1f", v)
                : Double.toString(v);
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
