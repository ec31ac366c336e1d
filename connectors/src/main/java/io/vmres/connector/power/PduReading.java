package io.vmres.connector.power;

import io.vmres.schema.PowerState;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one power device said in one round: the state of the device as a whole ({@code off} when it
 * is switched off or its mains are dead, {@code on} when it is positively powered, {@code unknown}
 * otherwise), and the state of each outlet it was asked about.
 *
 * @param device the device as a whole
 * @param outlets each outlet read, by its id (empty for a device without outlets, such as a UPS)
 * @param detail why, in a few words, for logs
 */
public record PduReading(PowerState device, Map<String, PowerState> outlets, String detail) {
    public PduReading {
        outlets = Map.copyOf(new TreeMap<>(outlets));
    }

    /** A device that did not answer, or answered something that proves nothing. */
    public static PduReading unknown(String detail) {
        return new PduReading(PowerState.unknown, Map.of(), detail);
    }

    /** Whether the device answered something readable at all. */
    public boolean answered() {
        return device != PowerState.unknown || !outlets.isEmpty();
    }
}
