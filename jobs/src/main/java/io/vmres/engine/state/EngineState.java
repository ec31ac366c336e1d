package io.vmres.engine.state;

import io.vmres.engine.ClusterEngine;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The checkpointed state of a cluster engine in a compact, versioned form, over plain {@link
 * DataOutput} and {@link DataInput} (no Flink types: the job's state serializer and the benchmarks
 * use it alike).
 *
 * <p>The state starts with its format version (a varint), then the engine, each state class writing
 * its own fields in its {@code write(StateOutput)} and reading them in its {@code
 * read(StateInput)}: a field added later is read only from the version that added it (ask {@link
 * StateInput#version()}), and takes its default when reading older state. Strings are written once
 * per state and then by index; objects held in two places (a VM job of an incident and of its
 * command in flight, a host's record seen by the fleet view and by the planning) are written once
 * and then by reference. Collections are written in their own order (tree and linked maps), hash
 * maps in key order: the same state gives the same bytes. Caches are not written; they are made
 * again on read.
 *
 * <p>Version 3 adds the power proof's reading times and each power domain's latest reading; version
 * 4 the hosts told of a wrong clock within the last hour; version 5 each host's stalled telemetry
 * and the instant it was last read again. Version 1 of the engine's state is Java serialization of
 * the classes before the stages were split out; the job reads it and writes this format (see {@code
 * io.vmres.job.types}).
 */
public final class EngineState {
    private EngineState() {}

    /** The oldest format version of this codec (version 1 is Java serialization). */
    public static final int FIRST_VERSION = 2;

    /** The format version written now. */
    public static final int VERSION = 5;

    public static void write(ClusterEngine engine, DataOutput out) throws IOException {
        engine.write(StateOutput.start(out, VERSION));
    }

    public static ClusterEngine read(DataInput in) throws IOException {
        return ClusterEngine.read(StateInput.start(in, FIRST_VERSION, VERSION));
    }
}
