package io.vmres.deploy.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which recorded pid names a live part of the cluster. */
class ClusterProcessesTest {
    @TempDir Path home;

    private void record(ClusterProcesses processes, String name, long pid) throws Exception {
        Files.createDirectories(processes.pidFile(name).getParent());
        Files.writeString(processes.pidFile(name), pid + "\n");
    }

    @Test
    void aLiveProcessOfAnotherCommandIsNotAPart() throws Exception {
        ClusterProcesses processes = new ClusterProcesses(home);
        // this test's own JVM: alive, but without the cluster's marker on its command line
        record(processes, "jobmanager", ProcessHandle.current().pid());
        assertThat(processes.find("jobmanager")).isEmpty();
        assertThat(processes.recordedPid("jobmanager")).contains(ProcessHandle.current().pid());
    }

    @Test
    void anEndedProcessIsNotAPart() throws Exception {
        ClusterProcesses processes = new ClusterProcesses(home);
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        record(processes, "connector", p.pid());
        assertThat(processes.find("connector")).isEmpty();
        assertThat(processes.find("fleet")).isEmpty();
    }
}
