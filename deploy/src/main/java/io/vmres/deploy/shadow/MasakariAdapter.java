package io.vmres.deploy.shadow;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmres.deploy.shadow.IncumbentAction.Kind;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenStack Masakari notifications as vmres's incumbent actions. A line is a notification object as
 * the notifications API returns it ({@code notification_uuid}, {@code hostname}, {@code type},
 * {@code generated_time}, {@code payload}, {@code status}, with microversion 1.1 its {@code
 * recovery_workflow_details}), or the same object inside a versioned notification envelope ({@code
 * event_type}, {@code payload.masakari_object.data}).
 *
 * <ul>
 *   <li>{@code COMPUTE_HOST}, payload event {@code STOPPED}: the host declared down at {@code
 *       generated_time}; {@code STARTED}: the host back. Ignored notifications ({@code status}
 *       {@code ignored}) declare nothing.
 *   <li>The progress messages of its recovery workflow {@code Successfully evacuate instances 'A,B'
 *       from host 'H'} and {@code Failed to evacuate instances 'A,B' from host 'H'}: each instance
 *       restarted (or not) at the message's timestamp; Masakari does not tell where (nova's
 *       scheduler picks the target).
 *   <li>{@code VM} (an instance's domain died): the instance restarted in place on its host when
 *       the notification finished, not restarted when it failed.
 *   <li>{@code PROCESS} ({@code nova-compute} stopped): Masakari disables the host's compute
 *       service; no VM action, nothing to compare.
 * </ul>
 */
final class MasakariAdapter {
    private MasakariAdapter() {}

    private static final Pattern EVACUATED =
            Pattern.compile(
                    "(Successfully|Failed to) evacuate instances '([^']*)' from host '([^']*)'");

    static void read(JsonNode line, List<IncumbentAction> out) {
        JsonNode n = line;
        if (n.has("payload") && n.get("payload").has("masakari_object.data")) {
            n = n.get("payload").get("masakari_object.data");
        }
        if (n.has("notification") && n.get("notification").isObject()) {
            n = n.get("notification");
        }
        String type = req(n, "type");
        String host = IncumbentFormat.text(n, "hostname");
        if (host == null) {
            host = IncumbentFormat.text(n, "source_host_uuid");
        }
        String status = IncumbentFormat.text(n, "status");
        long generated = time(req(n, "generated_time"));
        JsonNode payload = n.path("payload");
        String event = payload.path("event").asText("");
        if ("ignored".equals(status)) {
            return;
        }
        switch (type) {
            case "COMPUTE_HOST" -> {
                if (event.equalsIgnoreCase("STOPPED")) {
                    out.add(
                            new IncumbentAction(
                                    generated,
                                    Kind.HOST_DOWN,
                                    host,
                                    null,
                                    null,
                                    "masakari COMPUTE_HOST STOPPED, host_status "
                                            + payload.path("host_status").asText("?")));
                    readProgress(n, out);
                } else if (event.equalsIgnoreCase("STARTED")) {
                    out.add(
                            new IncumbentAction(
                                    generated,
                                    Kind.HOST_UP,
                                    host,
                                    null,
                                    null,
                                    "masakari COMPUTE_HOST STARTED"));
                }
            }
            case "VM" -> {
                String vm = payload.path("instance_uuid").asText(null);
                if (vm == null || status == null) {
                    return;
                }
                long at =
                        n.hasNonNull("updated_at") ? time(n.get("updated_at").asText()) : generated;
                if (status.equals("finished")) {
                    out.add(
                            new IncumbentAction(
                                    at,
                                    Kind.VM_RESTARTED,
                                    host,
                                    vm,
                                    host,
                                    "masakari VM " + payload.path("vir_domain_event").asText("")));
                } else if (status.equals("failed") || status.equals("error")) {
                    out.add(
                            new IncumbentAction(
                                    at,
                                    Kind.VM_NOT_RESTARTED,
                                    host,
                                    vm,
                                    null,
                                    "masakari VM " + status));
                }
            }
            case "PROCESS" -> {
                // the compute service is disabled; its VMs keep running: no action to compare
            }
            default -> throw new IllegalArgumentException("unknown notification type " + type);
        }
    }

    private static void readProgress(JsonNode n, List<IncumbentAction> out) {
        for (JsonNode task : n.path("recovery_workflow_details")) {
            for (JsonNode p : task.path("progress_details")) {
                Matcher m = EVACUATED.matcher(p.path("message").asText(""));
                if (!m.find()) {
                    continue;
                }
                boolean ok = m.group(1).equals("Successfully");
                long at = time(p.path("timestamp").asText());
                for (String vm : m.group(2).split(",")) {
                    if (!vm.isBlank()) {
                        out.add(
                                new IncumbentAction(
                                        at,
                                        ok ? Kind.VM_RESTARTED : Kind.VM_NOT_RESTARTED,
                                        m.group(3),
                                        vm.strip(),
                                        null,
                                        "masakari " + task.path("name").asText("recovery")));
                    }
                }
            }
        }
    }

    private static String req(JsonNode n, String field) {
        String v = IncumbentFormat.text(n, field);
        if (v == null) {
            throw new IllegalArgumentException("no " + field);
        }
        return v;
    }

    /** Masakari's times: ISO-8601 with a zone, or {@code 2018-12-20 05:26:05.075917} in UTC. */
    static long time(String text) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(text.replace(' ', 'T'))
                    .toInstant(ZoneOffset.UTC)
                    .toEpochMilli();
        }
    }
}
