package io.vmres.schema.recording;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes a recording (spec: recording format) as JSON Lines, one line per call: the one writer of
 * recording lines in vmres, for generated fleets, recorded topics and benchmark inputs alike.
 *
 * <pre>{@code
 * try (RecordingWriter w = new RecordingWriter(Files.newBufferedWriter(file))) {
 *     w.meta("crash", "a host crashes");
 *     w.event(heartbeat);
 * }
 * }</pre>
 */
public final class RecordingWriter implements Flushable, Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Writer out;
    private final JsonGenerator json;

    /** Writes to {@code out}; {@link #close} closes it. */
    public RecordingWriter(Writer out) throws IOException {
        this.out = out;
        this.json = JSON.createGenerator(out);
        // Lines are separated by a line break alone: no space between two root values.
        json.setPrettyPrinter(new MinimalPrettyPrinter(""));
        json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }

    /** Writes UTF-8 to {@code out}; {@link #close} closes it. */
    public RecordingWriter(OutputStream out) throws IOException {
        this(new OutputStreamWriter(out, StandardCharsets.UTF_8));
    }

    /** The first line: the recording's name and how it came to be. */
    public void meta(String name, String description) throws IOException {
        line(RecordingLine.meta(name, description));
    }

    /** The first line, with settings for the recording's replay. */
    public void meta(String name, String description, Map<String, String> config)
            throws IOException {
        line(RecordingLine.meta(name, description, config));
    }

    /**
     * The line of an input event.
     *
     * @throws IllegalArgumentException when the record is no input event (see {@link
     *     RecordingLine#of})
     */
    public void event(SpecificRecord record) throws IOException {
        line(RecordingLine.of(record));
    }

    /** A line made by {@link RecordingLine}, as it is. */
    public void line(ObjectNode line) throws IOException {
        json.writeTree(line);
        json.writeRaw('\n');
    }

    @Override
    public void flush() throws IOException {
        json.flush();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try (out) {
            json.close();
        }
    }
}
