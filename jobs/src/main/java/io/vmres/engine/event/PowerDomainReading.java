package io.vmres.engine.event;

/**
 * The spec's {@code power-domain} event: a reading of the power infrastructure (a PDU, a UPS, a
 * breaker panel) for a whole power domain; {@code source} names the device, or is null.
 */
public record PowerDomainReading(long ts, long seq, String powerDomain, String state, String source)
        implements Event {
    @Override
    public String type() {
        return "power-domain";
    }
}
