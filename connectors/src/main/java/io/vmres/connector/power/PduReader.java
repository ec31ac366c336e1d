package io.vmres.connector.power;

import java.util.Set;

/**
 * Reads one power device (a Redfish PDU, a UPS over SNMP). Implementations never throw for a device
 * that does not answer or answers something unexpected: they return {@link PduReading#unknown}, so
 * that doubt never reads {@code off}.
 */
public interface PduReader extends AutoCloseable {

    /**
     * Reads the device once, within {@code timeoutNanos}.
     *
     * @param outlets the outlets to read; empty for all of them
     */
    PduReading read(Set<String> outlets, long timeoutNanos) throws InterruptedException;

    /** Whether the device has outlets that a feed may name. */
    boolean hasOutlets();

    @Override
    default void close() {}
}
