package io.vmres.engine.detect;

import io.vmres.engine.event.HostEvent;
import io.vmres.engine.fleet.HostState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Correlated failures (spec: Correlated failure): the failures of one batch grouped by shared rack
 * or power domain, transitively.
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
            if (sameDomain(o.record, hs.record)) {
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
}
