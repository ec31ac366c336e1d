package io.vmres.deploy.shadow;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmres.deploy.shadow.IncumbentAction.Kind;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * vSphere HA events as exported from vCenter's event log (the API's {@code Event} objects as JSON,
 * for example PowerCLI's {@code Get-VIEvent | ConvertTo-Json}): field names in either case ({@code
 * createdTime} or {@code CreatedTime}); the event's type from {@code eventTypeId} (an {@code
 * EventEx}) or {@code type} (its class name), compared on its last dotted part.
 *
 * <ul>
 *   <li>{@code DasHostFailedEvent}: the host ({@code failedHost.name}, else {@code host.name})
 *       declared down at {@code createdTime}.
 *   <li>{@code VmRestartedByHAEvent}: the VM ({@code vm.name}) restarted on {@code host.name}.
 *   <li>{@code VmNotProtectedEvent}, {@code VmFailedToPowerOnEvent}, {@code
 *       FailedRestartAfterIsolationEvent}, {@code VmFailoverFailed}: the VM not restarted.
 *   <li>{@code EnteringMaintenanceModeEvent}: the host evacuated; {@code HostConnectedEvent},
 *       {@code ExitMaintenanceModeEvent}: the host back.
 * </ul>
 *
 * Other events are not HA actions: read and left out.
 */
final class VsphereAdapter {
    private VsphereAdapter() {}

    static void read(JsonNode n, List<IncumbentAction> out) {
        String type = field(n, "eventTypeId");
        if (type == null) {
            type = field(n, "type");
        }
        if (type == null) {
            throw new IllegalArgumentException("no eventTypeId nor type");
        }
        String kind = type.substring(type.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String created = field(n, "createdTime");
        if (created == null) {
            throw new IllegalArgumentException("no createdTime");
        }
        long ts = MasakariAdapter.time(created);
        String host = name(n, "host");
        String vm = name(n, "vm");
        String message = field(n, "fullFormattedMessage");
        String detail = "vsphere " + type + (message == null ? "" : ": " + message);
        switch (kind) {
            case "dashostfailedevent" -> {
                String failed = name(n, "failedHost");
                out.add(
                        new IncumbentAction(
                                ts,
                                Kind.HOST_DOWN,
                                failed != null ? failed : host,
                                null,
                                null,
                                detail));
            }
            case "vmrestartedbyhaevent" ->
                    out.add(
                            new IncumbentAction(
                                    ts, Kind.VM_RESTARTED, null, need(vm), host, detail));
            case "vmnotprotectedevent",
                            "vmfailedtopoweronevent",
                            "failedrestartafterisolationevent",
                            "vmfailoverfailed" ->
                    out.add(
                            new IncumbentAction(
                                    ts, Kind.VM_NOT_RESTARTED, host, need(vm), null, detail));
            case "enteringmaintenancemodeevent" ->
                    out.add(
                            new IncumbentAction(
                                    ts, Kind.HOST_EVACUATED, need(host), null, null, detail));
            case "hostconnectedevent", "exitmaintenancemodeevent" ->
                    out.add(new IncumbentAction(ts, Kind.HOST_UP, need(host), null, null, detail));
            default -> {
                // not an HA action
            }
        }
    }

    private static String need(String v) {
        if (v == null) {
            throw new IllegalArgumentException("the event names no host or VM it needs");
        }
        return v;
    }

    /** {@code x.name} of an entity reference ({@code host}, {@code vm}), in either case. */
    private static String name(JsonNode n, String entity) {
        JsonNode e = node(n, entity);
        if (e == null || e.isNull()) {
            return null;
        }
        if (e.isTextual()) {
            return e.asText();
        }
        JsonNode name = node(e, "name");
        return name == null || name.isNull() ? null : name.asText();
    }

    private static String field(JsonNode n, String f) {
        JsonNode v = node(n, f);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static JsonNode node(JsonNode n, String f) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(f)) {
                return e.getValue();
            }
        }
        return null;
    }
}
