package io.vmres.engine.correlate;

import io.vmres.engine.event.HostEvent;
import io.vmres.engine.fleet.FailedDomains;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.incident.HostPart;
import io.vmres.engine.incident.Incident;
import io.vmres.engine.incident.Incidents;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Correlated failures (spec: Correlated failure): the failures of one batch grouped by shared rack
 * or power domain, transitively; and the domains failed now, which placement avoids.
 */
public final class Correlation {
    private Correlation() {}

    /** Hosts sharing a rack or power domain, transitively, in host order. */
    public static List<List<HostState>> groups(List<HostState> list) {
        List<List<HostState>> groups = new ArrayList<>();
        for (HostState hs : list) {
            List<HostState> merged = new ArrayList<>();
            merged.add(hs);
            for (int i = groups.size() - 1; i >= 0; i--) {
                if (sharesDomain(groups.get(i), hs)) {
                    merged.addAll(0, groups.remove(i));
                }
            }
            merged.sort(Comparator.comparing((HostState h) -> h.id));
            groups.add(merged);
        }
        groups.sort(Comparator.comparing((List<HostState> g) -> g.get(0).id));
        return groups;
    }

    private static boolean sharesDomain(List<HostState> g, HostState hs) {
        for (HostState o : g) {
            if (sameDomain(o.record(), hs.record())) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameDomain(HostEvent a, HostEvent b) {
        if (a == null || b == null) {
            return false;
        }
        return (a.rack() != null && a.rack().equals(b.rack()))
                || (a.powerDomain() != null && a.powerDomain().equals(b.powerDomain()));
    }

    /**
     * The racks and power domains shared by 2+ hosts of an unresolved failure (spec: Placement).
     */
    public static FailedDomains failedDomains(Incidents incidents) {
        TreeSet<String> racks = new TreeSet<>();
        TreeSet<String> pds = new TreeSet<>();
        for (Incident inc : incidents.all()) {
            if (!inc.kind().failure() || inc.ended()) {
                continue;
            }
            TreeMap<String, Integer> r = new TreeMap<>();
            TreeMap<String, Integer> p = new TreeMap<>();
            for (HostPart part : inc.parts().values()) {
                if (part.rack() != null) {
                    r.merge(part.rack(), 1, Integer::sum);
                }
                if (part.powerDomain() != null) {
                    p.merge(part.powerDomain(), 1, Integer::sum);
                }
            }
            r.forEach(
                    (k, n) -> {
                        if (n >= 2) {
                            racks.add(k);
                        }
                    });
            p.forEach(
                    (k, n) -> {
                        if (n >= 2) {
                            pds.add(k);
                        }
                    });
        }
        return new FailedDomains(racks, pds);
    }
}
