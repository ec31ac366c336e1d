package io.vmres.engine.incident;

import io.vmres.engine.event.Maintenance;
import java.io.Serializable;

/**
 * A declaration asked by an input event or a health rule, made in step 2 of its instant: a
 * predicted failure or a maintenance (a drain), or a host of an outage whose power reads off.
 *
 * @param rule the health rule that fired (predicted failures)
 * @param maintenance the maintenance request (maintenances)
 */
public record Declaration(
        IncidentKind kind,
        String host,
        String rule,
        String sensor,
        double value,
        Maintenance maintenance)
        implements Serializable {

    public static Declaration hostFailure(String host) {
        return new Declaration(IncidentKind.HOST_FAILURE, host, null, null, 0, null);
    }

    /**
     * A power domain read off: the outage hosts it proves off leave the outage together (the
     * declaration names the domain, not a host).
     */
    public static Declaration powerDomainOff(String powerDomain) {
        return new Declaration(
                IncidentKind.HOST_FAILURE, null, "power-domain", powerDomain, 0, null);
    }

    /** The power domain of a {@link #powerDomainOff} declaration, else null. */
    public String powerDomain() {
        return host == null && "power-domain".equals(rule) ? sensor : null;
    }

    public static Declaration predicted(String host, String rule, String sensor, double value) {
        return new Declaration(IncidentKind.PREDICTED_FAILURE, host, rule, sensor, value, null);
    }

    public static Declaration maintenance(Maintenance m) {
        return new Declaration(IncidentKind.MAINTENANCE, m.host(), null, null, 0, m);
    }
}
