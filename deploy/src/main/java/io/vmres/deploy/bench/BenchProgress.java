package io.vmres.deploy.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long step of the bench, in {@code vmres replay}'s style: on a terminal one line
 * rewritten in place ({@code what: detail (12 s)}); without one (output piped, as in {@code bench
 * all}'s runs), a line at most every 10 s.
 */
public final class BenchProgress implements AutoCloseable {
    private static final String CLEAR_LINE = "\r\u001b[K";
    private static final long PLAIN_EVERY_NANOS = 10_000_000_000L;

    private final PrintStream out;
    private final String what;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastPrinted = Long.MIN_VALUE;
    private boolean shown;

    public BenchProgress(PrintStream out, String what) {
        this(out, what, System.console() != null);
    }

    BenchProgress(PrintStream out, String what, boolean terminal) {
        this.out = out;
        this.what = what;
        this.terminal = terminal;
    }

    /** Seconds since this step began. */
    public double elapsedS() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Shows {@code detail}: at once on a terminal, else if 10 s have passed since the last. */
    public synchronized void show(String detail) {
        long now = System.nanoTime();
        String line = String.format(Locale.ROOT, "%s: %s (%.0f s)", what, detail, elapsedS());
        if (terminal) {
            out.print(CLEAR_LINE + line);
            out.flush();
            shown = true;
        } else if (lastPrinted == Long.MIN_VALUE || now - lastPrinted >= PLAIN_EVERY_NANOS) {
            out.println(line);
            lastPrinted = now;
        }
    }

    /** Clears the line on a terminal, so that what follows starts on a clean one. */
    public synchronized void clear() {
        if (terminal && shown) {
            out.print(CLEAR_LINE);
            out.flush();
            shown = false;
        }
    }

    @Override
    public void close() {
        clear();
    }
}
