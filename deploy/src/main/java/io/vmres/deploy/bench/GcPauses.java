package io.vmres.deploy.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The garbage collections of this process while watched, each as {start, end} in epoch ms (the
 * JVM's start plus the collection's own times): what a bench's latencies can be set against.
 */
final class GcPauses implements AutoCloseable {
    private final List<long[]> pauses = new ArrayList<>();
    private final List<NotificationEmitter> watched = new ArrayList<>();
    private final long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    private final NotificationListener listener = this::collected;

    private GcPauses() {}

    static GcPauses watch() {
        GcPauses g = new GcPauses();
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (b instanceof NotificationEmitter e) {
                e.addNotificationListener(g.listener, null, null);
                g.watched.add(e);
            }
        }
        return g;
    }

    private void collected(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                n.getType())) {
            return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        // G1's concurrent cycle runs beside the application: only its pauses stop it
        if (info.getGcName().contains("Concurrent")) {
            return;
        }
        long start = jvmStart + info.getGcInfo().getStartTime();
        synchronized (pauses) {
            pauses.add(new long[] {start, start + info.getGcInfo().getDuration()});
        }
    }

    /** The collections so far. */
    List<long[]> pauses() {
        synchronized (pauses) {
            return new ArrayList<>(pauses);
        }
    }

    @Override
    public void close() {
        for (NotificationEmitter e : watched) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // not added: nothing to remove
            }
        }
    }
}
