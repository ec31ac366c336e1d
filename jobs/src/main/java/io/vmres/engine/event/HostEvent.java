package io.vmres.engine.event;

import java.util.List;

/** The spec's `host` event. */
public record HostEvent(
        long ts,
        long seq,
        String host,
        String cluster,
        double cpu,
        double memMb,
        String rack,
        String powerDomain,
        String hypervisor,
        List<String> storageDomains,
        boolean spare,
        boolean bmc)
        implements Event {
    @Override
    public String type() {
        return "host";
    }
}
