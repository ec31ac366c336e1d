package io.vmres.job.replay;

import io.vmres.job.Emitted;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes a replay's six output files once the input has ended. It must run with parallelism 1: the
 * end of the replay is settled across all clusters, and the files are merged by (ts, cluster, order
 * of decision) whatever order the lines arrive in.
 */
public final class ReplayFilesSink implements Sink<Emitted> {
    private static final long serialVersionUID = 1L;

    private final String outDir;

    public ReplayFilesSink(Path outDir) {
        this.outDir = outDir.toAbsolutePath().toString();
    }

    @Override
    public SinkWriter<Emitted> createWriter(WriterInitContext context) {
        return new Writer(Path.of(outDir));
    }

    private static final class Writer implements SinkWriter<Emitted> {
        private final Path outDir;
        private final List<Emitted> lines = new ArrayList<>();
        private boolean written;

        Writer(Path outDir) {
            this.outDir = outDir;
        }

        @Override
        public void write(Emitted element, Context context) {
            lines.add(element);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            if (endOfInput && !written) {
                written = true;
                ReplayJob.write(lines, outDir);
            }
        }

        @Override
        public void close() {}
    }
}
