package io.vmres.engine.recording;

import io.vmres.engine.ClockRule;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.event.ClockSkew;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Events;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.DeadLetterOut;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

/**
 * Reads a recording (JSON Lines, plain or gzip) as a stream of items in line order: valid events,
 * bad lines and late events, with the spec's meta and lateness rules applied on the way.
 *
 * <p>Usage: {@code try (var r = RecordingReader.open(path, overrides)) { while (r.hasNext()) ...
 * }}; {@link #settings()} and {@link #name()} are known as soon as it is open.
 */
public final class RecordingReader implements Iterator<RecordingReader.Item>, Closeable {

    /** One line's outcome, for every line that is neither blank, a comment, nor the valid meta. */
    public sealed interface Item permits EventItem, BadLine, LateLine {}

    /** A valid, on-time event: to be applied. */
    public record EventItem(Event event) implements Item {}

    /** Bad input: its dead letter. */
    public record BadLine(DeadLetterOut deadLetter) implements Item {}

    /** A valid event behind the watermark: its dead letter and its {@code LATE_EVENT} alert. */
    public record LateLine(DeadLetterOut deadLetter, AlertOut alert) implements Item {}

    private final BufferedReader in;
    private final String fileName;
    private final Map<String, String> overrides;
    private Settings settings;
    private String metaName;
    private long lineNo;
    private long events;
    private long deadLetters;
    private long lateEvents;
    private long retimedEvents;
    private long maxOnTimeTs = Long.MIN_VALUE;
    private Item next;

    /** The note of a wrong clock that follows the event it speaks of. */
    private Item queued;

    private boolean eof;

    private RecordingReader(BufferedReader in, String fileName, Map<String, String> overrides) {
        this.in = in;
        this.fileName = fileName;
        this.overrides = Map.copyOf(overrides);
        // Overrides are checked before anything is read: a bad --set is the caller's mistake.
        this.settings = SettingsParser.applyOverrides(Settings.DEFAULTS, overrides);
        readFirst();
    }

    /**
     * Opens a recording file: gzip when its name ends in {@code .gz} or its bytes start with the
     * gzip magic, else plain UTF-8.
     *
     * @param overrides {@code --set} settings, applied over the meta config
     * @throws IllegalArgumentException when an override is unknown or bad
     */
    public static RecordingReader open(Path file, Map<String, String> overrides)
            throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip =
                    file.getFileName().toString().endsWith(".gz") || (b0 == 0x1f && b1 == 0x8b);
            InputStream bytes = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
            return of(utf8(bytes), file.getFileName().toString(), overrides);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** Reads a recording from a character stream; {@code fileName} names it when no meta does. */
    public static RecordingReader of(Reader text, String fileName, Map<String, String> overrides) {
        BufferedReader br =
                text instanceof BufferedReader b ? b : new BufferedReader(text, 1 << 16);
        return new RecordingReader(br, fileName, overrides);
    }

    private static Reader utf8(InputStream bytes) {
        // Malformed bytes become U+FFFD: the line stays readable (and is then most likely bad
        // input).
        return new InputStreamReader(
                bytes,
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE));
    }

    /** The recording's name without a valid meta line: its file name without {@code .jsonl...}. */
    public static String nameFromFile(String fileName) {
        int i = fileName.indexOf(".jsonl");
        if (i >= 0) {
            return fileName.substring(0, i);
        }
        return fileName.endsWith(".gz") ? fileName.substring(0, fileName.length() - 3) : fileName;
    }

    /**
     * Reads up to the first line that is neither blank nor a comment: only that line may be the
     * meta, and settings (outOfOrderness among them) must be known before any event is judged late.
     */
    private void readFirst() {
        String line;
        while ((line = readLine()) != null) {
            EventParser.ParsedLine p = EventParser.parse(line, lineNo);
            if (p instanceof EventParser.Skip) {
                continue;
            }
            if (p instanceof EventParser.Meta m) {
                Settings withMeta =
                        m.config() == null
                                ? Settings.DEFAULTS
                                : SettingsParser.applyConfig(Settings.DEFAULTS, m.config());
                settings = SettingsParser.applyOverrides(withMeta, overrides);
                metaName = m.name();
            } else {
                next = judge(line, p);
            }
            return;
        }
        eof = true;
    }

    private String readLine() {
        try {
            String line = in.readLine();
            if (line != null) {
                lineNo++;
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException("reading line " + (lineNo + 1) + " of " + fileName, e);
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null && queued != null) {
            next = queued;
            queued = null;
        }
        while (next == null && !eof) {
            String line = readLine();
            if (line == null) {
                eof = true;
                break;
            }
            EventParser.ParsedLine p = EventParser.parse(line, lineNo);
            if (!(p instanceof EventParser.Skip)) {
                next = judge(line, p);
            }
        }
        return next != null;
    }

    @Override
    public Item next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Item item = next;
        next = null;
        return item;
    }

    /** Bad input first, then lateness: a line both bad and behind is bad input only. */
    private Item judge(String line, EventParser.ParsedLine p) {
        if (p instanceof EventParser.Bad b) {
            deadLetters++;
            return new BadLine(new DeadLetterOut(lineNo, b.reason(), line));
        }
        if (p instanceof EventParser.Meta) {
            deadLetters++;
            return new BadLine(new DeadLetterOut(lineNo, "meta must be the first line", line));
        }
        EventParser.Valid valid = (EventParser.Valid) p;
        Event e = valid.event();
        ClockRule clocks = new ClockRule(settings.maxClockSkewMs());
        ClockSkew skew = null;
        if (clocks.isSkewed(e.ts(), valid.recvTs())) {
            // A wrong clock: the time the event arrived stands for it, lateness included.
            long claimed = e.ts();
            e = Events.at(e, valid.recvTs());
            skew = ClockSkew.of(e, claimed);
            retimedEvents++;
        }
        if (maxOnTimeTs != Long.MIN_VALUE && e.ts() < maxOnTimeTs - settings.outOfOrdernessMs()) {
            deadLetters++;
            lateEvents++;
            long watermark = maxOnTimeTs - settings.outOfOrdernessMs();
            String reason =
                    "late by "
                            + seconds(watermark - e.ts())
                            + " s (watermark "
                            + Times.format(watermark)
                            + ")";
            String detail =
                    "line "
                            + lineNo
                            + ": "
                            + e.type()
                            + " at "
                            + Times.format(e.ts())
                            + " arrived after the watermark; not applied";
            // The alert's ts is the watermark's source, never the late event's own ts.
            return new LateLine(
                    new DeadLetterOut(lineNo, reason, line),
                    new AlertOut("LATE_EVENT", null, null, List.of(), detail, maxOnTimeTs));
        }
        events++;
        maxOnTimeTs = Math.max(maxOnTimeTs, e.ts());
        if (skew != null) {
            // right after its event, at the same instant: the engine tells the operator
            queued = new EventItem(skew);
        }
        return new EventItem(e);
    }

    private static String seconds(long ms) {
        return java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString();
    }

    /** The effective settings: defaults, then the valid meta's config, then the overrides. */
    public Settings settings() {
        return settings;
    }

    /** The valid meta line's name, else the file name without {@code .jsonl} (or {@code .gz}). */
    public String name() {
        return metaName != null ? metaName : nameFromFile(fileName);
    }

    /** Physical lines read so far (blank and comment lines included). */
    public long lines() {
        return lineNo;
    }

    /** Valid, on-time events so far (the meta line is not one). */
    public long events() {
        return events;
    }

    /** Dead letters so far: bad lines and late events. */
    public long deadLetters() {
        return deadLetters;
    }

    /** Late events so far. */
    public long lateEvents() {
        return lateEvents;
    }

    /**
     * Valid events so far whose {@code ts} was more than {@code maxClockSkew} from their {@code
     * recvTs}, and which took their {@code recvTs} as their event time (the spec's Wrong clocks).
     */
    public long retimedEvents() {
        return retimedEvents;
    }

    /** The latest ts of the valid, on-time events so far, or {@link Long#MIN_VALUE} before any. */
    public long maxOnTimeTs() {
        return maxOnTimeTs;
    }

    /**
     * Every later on-time event has a ts at or after this (latest on-time ts − outOfOrderness);
     * {@link Long#MIN_VALUE} before any event.
     */
    public long watermark() {
        return maxOnTimeTs == Long.MIN_VALUE
                ? Long.MIN_VALUE
                : maxOnTimeTs - settings.outOfOrdernessMs();
    }

    /** The counters so far, for the summary. */
    public RecordingStats stats() {
        return new RecordingStats(
                name(),
                lineNo,
                events,
                deadLetters,
                lateEvents,
                maxOnTimeTs == Long.MIN_VALUE ? null : maxOnTimeTs);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
