package io.vmres.engine.event;

import java.util.List;

/** The spec's `vm` event. */
public record VmEvent(
        long ts,
        long seq,
        String vm,
        String host,
        double cpu,
        double memMb,
        int priority,
        boolean ha,
        String antiAffinityGroup,
        String storageDomain,
        List<String> disks,
        List<String> dependsOn)
        implements Event {
    @Override
    public String type() {
        return "vm";
    }
}
