package io.vmres.engine.detect;

import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.event.Health;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.TreeMap;

/**
 * The predicted-failure rules of one host over its health samples (spec: Predicted failure): pfa,
 * uncorrectable ECC, correctable ECC in a sliding window, CPU temperature over aligned UTC minutes,
 * PSU redundancy with failed fans, SMART growth.
 */
public final class HealthRules implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final long MINUTE = 60_000L;

    private final ArrayDeque<long[]> ecc = new ArrayDeque<>(); // {ts, count*1000 as long bits}
    private double eccSum;
    private Double psu;
    private Double fans;

    /** sensor/component -> samples {ts, value} within the SMART window. */
    private final TreeMap<String, ArrayDeque<double[]>> smart = new TreeMap<>();

    /** Window start -> {samples, all at or above threshold (1/0)}. */
    private final TreeMap<Long, long[]> tempWindows = new TreeMap<>();

    private long lastHotWindowEnd = Long.MIN_VALUE;
    private int hotRun;

    /**
     * Applies a sample; returns the name of the rule it fires, or null. For {@code cpu_temp_c} it
     * never fires here: the window is judged at its end, see {@link #windowEnd}.
     */
    public String sample(Health h, Settings s) {
        long t = h.ts();
        double v = h.value();
        switch (h.sensor()) {
            case "pfa":
                return v == 1 ? "pfa" : null;
            case "ecc_uncorrectable":
                return v > 0 ? "ecc_uncorrectable" : null;
            case "ecc_correctable":
                return eccSample(t, v, s);
            case "psu_redundancy_lost":
                psu = v;
                return psuAndFans();
            case "fan_failed":
                fans = v;
                return psuAndFans();
            case "smart_pending":
            case "smart_uncorrectable":
                return smartSample(h, s.smartPendingRise(), s);
            case "smart_reallocated":
                return smartSample(h, s.smartReallocatedRise(), s);
            default:
                return null;
        }
    }

    /**
     * Records a CPU temperature sample in its aligned minute; returns the window's end when this is
     * the window's first sample (the caller judges the window then), else {@link Long#MIN_VALUE}.
     */
    public long temperature(long t, double value, Settings s) {
        long start = Math.floorDiv(t, MINUTE) * MINUTE;
        long[] w = tempWindows.get(start);
        boolean first = w == null;
        if (first) {
            w = new long[] {0, 1};
            tempWindows.put(start, w);
        }
        w[0]++;
        if (value < s.tempThresholdC()) {
            w[1] = 0;
        }
        return first ? Times.plus(start, MINUTE) : Long.MIN_VALUE;
    }

    /**
     * Judges the window ending at {@code end}: true when it completes {@code tempWindows}
     * consecutive hot windows (a window without samples breaks the run).
     */
    public boolean windowEnd(long end, Settings s) {
        long[] w = tempWindows.remove(Times.minus(end, MINUTE));
        boolean hot = w != null && w[0] > 0 && w[1] == 1;
        if (!hot) {
            hotRun = 0;
            return false;
        }
        hotRun = lastHotWindowEnd == Times.minus(end, MINUTE) ? hotRun + 1 : 1;
        lastHotWindowEnd = end;
        return hotRun >= s.tempWindows();
    }

    private String eccSample(long t, double v, Settings s) {
        // the window is (t - eccWindow, t]
        while (!ecc.isEmpty() && ecc.peekFirst()[0] <= Times.minus(t, s.eccWindowMs())) {
            eccSum -= Double.longBitsToDouble(ecc.pollFirst()[1]);
        }
        ecc.addLast(new long[] {t, Double.doubleToLongBits(v)});
        eccSum += v;
        return eccSum >= s.eccThreshold() ? "ecc_correctable_window" : null;
    }

    private String psuAndFans() {
        return psu != null && psu == 1 && fans != null && fans > 0 ? "psu_and_fans" : null;
    }

    private String smartSample(Health h, int rise, Settings s) {
        long t = h.ts();
        String key = h.sensor() + "/" + (h.component() == null ? "" : h.component());
        ArrayDeque<double[]> q = smart.computeIfAbsent(key, k -> new ArrayDeque<>());
        // the lowest value with ts in [t - smartWindow, t): samples at t itself do not count
        Double low = null;
        for (Iterator<double[]> it = q.iterator(); it.hasNext(); ) {
            double[] x = it.next();
            if (x[0] < Times.minus(t, s.smartWindowMs())) {
                it.remove();
            } else if (x[0] < t && (low == null || x[1] < low)) {
                low = x[1];
            }
        }
        q.addLast(new double[] {t, h.value()});
        return low != null && h.value() - low >= rise ? "smart_growth" : null;
    }

    /** Writes the rules' windows (see {@code io.vmres.engine.state.EngineState}). */
    public void write(StateOutput out) throws IOException {
        out.writeAll(
                ecc,
                (e, o) -> {
                    o.writeTs(e[0]);
                    o.writeNumber(Double.longBitsToDouble(e[1]));
                });
        out.writeDouble(eccSum);
        out.writeNullableDouble(psu);
        out.writeNullableDouble(fans);
        out.writeMap(
                smart,
                (q, o) ->
                        o.writeAll(
                                q,
                                (x, o2) -> {
                                    o2.writeDouble(x[0]);
                                    o2.writeDouble(x[1]);
                                }));
        out.writeVarInt(tempWindows.size());
        for (var e : tempWindows.entrySet()) {
            out.writeTs(e.getKey());
            out.writeLong(e.getValue()[0]);
            out.writeLong(e.getValue()[1]);
        }
        out.writeTs(lastHotWindowEnd);
        out.writeInt(hotRun);
    }

    public static HealthRules read(StateInput in) throws IOException {
        HealthRules r = new HealthRules();
        in.readAll(r.ecc, i -> new long[] {i.readTs(), Double.doubleToLongBits(i.readNumber())});
        r.eccSum = in.readDouble();
        r.psu = in.readNullableDouble();
        r.fans = in.readNullableDouble();
        in.readMap(
                r.smart,
                i ->
                        i.readAll(
                                new ArrayDeque<double[]>(),
                                i2 -> new double[] {i2.readDouble(), i2.readDouble()}));
        int n = in.readVarInt();
        for (int k = 0; k < n; k++) {
            r.tempWindows.put(in.readTs(), new long[] {in.readLong(), in.readLong()});
        }
        r.lastHotWindowEnd = in.readTs();
        r.hotRun = in.readInt();
        return r;
    }
}
