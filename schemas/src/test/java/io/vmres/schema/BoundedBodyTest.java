package io.vmres.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Length prefixes that the bytes cannot hold are refused before Avro allocates anything. */
class BoundedBodyTest {
    private final AvroCodec codec = new AvroCodec();

    private static byte[] header(byte[] ofRecord) {
        return Arrays.copyOf(ofRecord, 10);
    }

    private static void zigzag(ByteArrayOutputStream out, long v) {
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7fL) != 0) {
            out.write((int) ((z & 0x7f) | 0x80));
            z >>>= 7;
        }
        out.write((int) z);
    }

    private byte[] heartbeatHeader() {
        return header(
                codec.encode(
                        Heartbeat.newBuilder()
                                .setHost("h")
                                .setChannel(Channel.mgmt)
                                .setTs(Instant.EPOCH)
                                .build()));
    }

    @Test
    void aStringClaimingTwoGigabytesIsRefusedWithoutReadingIt() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(heartbeatHeader());
        zigzag(out, Integer.MAX_VALUE - 8L); // the host's length
        out.writeBytes(new byte[] {'h', 'o', 's', 't'});
        assertThatThrownBy(() -> codec.decode(out.toByteArray()))
                .isInstanceOf(AvroCodec.BadRecordException.class)
                .hasMessageContaining("string of 2147483639 bytes in 4 bytes left");
    }

    @Test
    void aCollectionClaimingMoreItemsThanBytesIsRefused() {
        byte[] vm =
                codec.encode(
                        Vm.newBuilder()
                                .setVm("v")
                                .setHost("h")
                                .setCpu(1)
                                .setMemMb(1)
                                .setTs(Instant.EPOCH)
                                .build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header(vm));
        zigzag(out, 1);
        out.write('v'); // vm
        zigzag(out, 1);
        out.write('h'); // host
        out.writeBytes(new byte[16]); // cpu, memMb
        byte[] prefix = out.toByteArray();
        // priority, ha, antiAffinityGroup, storageDomain: defaults are in the schema; find the
        // disks union by encoding a VM with disks and comparing
        byte[] withDisks =
                codec.encode(
                        Vm.newBuilder()
                                .setVm("v")
                                .setHost("h")
                                .setCpu(1)
                                .setMemMb(1)
                                .setDisks(List.of("d"))
                                .setTs(Instant.EPOCH)
                                .build());
        int at = indexOfBlockCount(withDisks, prefix.length);
        byte[] forged = Arrays.copyOf(withDisks, withDisks.length);
        ByteArrayOutputStream huge = new ByteArrayOutputStream();
        huge.writeBytes(Arrays.copyOf(forged, at));
        zigzag(huge, 1_000_000_000L);
        huge.writeBytes(Arrays.copyOfRange(forged, at + 1, forged.length));
        assertThatThrownBy(() -> codec.decode(huge.toByteArray()))
                .isInstanceOf(AvroCodec.BadRecordException.class)
                .hasMessageContaining("a collection of 1000000000 items");
    }

    /** The block count 1 (zig-zag 2) of the one-disk list, just before the disk "d". */
    private static int indexOfBlockCount(byte[] b, int from) {
        for (int i = from; i + 2 < b.length; i++) {
            if (b[i] == 2 && b[i + 1] == 2 && b[i + 2] == 'd') {
                return i;
            }
        }
        throw new AssertionError("no disks block");
    }

    @Test
    void truncatedRecordsAndTrailingBytesAreRefused() {
        byte[] good =
                codec.encode(
                        Heartbeat.newBuilder()
                                .setHost("h-001")
                                .setChannel(Channel.mgmt)
                                .setTs(Instant.parse("2026-03-01T10:00:00Z"))
                                .build());
        for (int n = 10; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            assertThatThrownBy(() -> codec.decode(cut))
                    .as("cut at %d", n)
                    .isInstanceOf(AvroCodec.BadRecordException.class);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        assertThatThrownBy(() -> codec.decode(longer))
                .isInstanceOf(AvroCodec.BadRecordException.class)
                .hasMessageContaining("3 bytes after the end");
    }

    @Test
    void aRecordOverTheBoundIsRefusedBeforeItsHeaderIsRead() throws Exception {
        byte[] big = new byte[AvroCodec.MAX_RECORD_BYTES + 1];
        assertThatThrownBy(() -> codec.decode(big))
                .isInstanceOf(AvroCodec.BadRecordException.class)
                .hasMessageContaining("over 1048576");
        Heartbeat ok =
                Heartbeat.newBuilder()
                        .setHost("h".repeat(100_000))
                        .setChannel(Channel.mgmt)
                        .setTs(Instant.EPOCH)
                        .build();
        assertThat(codec.decode(codec.encode(ok))).isEqualTo(ok);
    }
}
