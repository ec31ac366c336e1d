package io.vmres.connector.power;

import io.vmres.schema.PowerState;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The state of a power domain from the readings of the devices that feed it. A domain reads {@code
 * off} only when every one of its feeds positively reads off: one powered feed keeps the hosts
 * running (a second power supply), and a feed that cannot be read may be feeding them. Never {@code
 * off} on doubt.
 */
public final class PowerDomainRule {
    private PowerDomainRule() {}

    /** The state of one feed given its device's reading (null: the device was not read). */
    public static PowerState feed(PowerFeed feed, PduReading reading) {
        if (reading == null) {
            return PowerState.unknown;
        }
        if (reading.device() == PowerState.off) {
            return PowerState.off; // switched off, or mains dead: no outlet of it has power
        }
        if (feed.outlet().isPresent()) {
            PowerState s = reading.outlets().get(feed.outlet().get());
            return s == null ? PowerState.unknown : s;
        }
        if (reading.outlets().isEmpty()) {
            return reading.device();
        }
        return all(reading.outlets().values());
    }

    /** The state of a domain fed by {@code feeds}, given each device's reading by its name. */
    public static PowerState domain(List<PowerFeed> feeds, Map<String, PduReading> readings) {
        return all(feeds.stream().map(f -> feed(f, readings.get(f.source()))).toList());
    }

    /** {@code off} when all are off (and there is one), {@code on} when one is on, else unknown. */
    static PowerState all(Collection<PowerState> states) {
        if (states.contains(PowerState.on)) {
            return PowerState.on;
        }
        if (!states.isEmpty() && states.stream().allMatch(s -> s == PowerState.off)) {
            return PowerState.off;
        }
        return PowerState.unknown;
    }
}
