package io.vmres.connector.power;

import io.vmres.schema.PowerState;

/**
 * What the standard UPS-MIB (RFC 1628) says of a UPS's output: {@code upsOutputSource}, the source
 * of the power on the UPS's output, is {@code none(2)} when the load is not powered at all.
 */
public final class UpsMib {
    /** {@code upsOutputSource.0}: other(1), none(2), normal(3), bypass(4), battery(5), ... */
    public static final String UPS_OUTPUT_SOURCE = "1.3.6.1.2.1.33.1.4.1.0";

    /** {@code upsBatteryStatus.0}: unknown(1), batteryNormal(2), batteryLow(3), depleted(4). */
    public static final String UPS_BATTERY_STATUS = "1.3.6.1.2.1.33.1.2.1.0";

    private UpsMib() {}

    /**
     * The state of the UPS's output: {@code none(2)} is off; {@code normal(3)}, {@code bypass(4)},
     * {@code battery(5)}, {@code booster(6)} and {@code reducer(7)} are on (power flows, from
     * whichever source); {@code other(1)} or any other value proves nothing.
     */
    public static PowerState outputState(long upsOutputSource) {
        if (upsOutputSource == 2) {
            return PowerState.off;
        }
        if (upsOutputSource >= 3 && upsOutputSource <= 7) {
            return PowerState.on;
        }
        return PowerState.unknown;
    }

    /** The name of a value of {@code upsOutputSource}, for logs. */
    public static String outputSourceName(long v) {
        String[] names = {"other", "none", "normal", "bypass", "battery", "booster", "reducer"};
        return v >= 1 && v <= names.length ? names[(int) v - 1] + "(" + v + ")" : "(" + v + ")";
    }

    /** The name of a value of {@code upsBatteryStatus}, for logs. */
    public static String batteryStatusName(long v) {
        String[] names = {"unknown", "batteryNormal", "batteryLow", "batteryDepleted"};
        return v >= 1 && v <= names.length ? names[(int) v - 1] : "(" + v + ")";
    }
}
