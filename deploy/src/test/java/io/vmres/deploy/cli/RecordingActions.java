package io.vmres.deploy.cli;

import io.vmres.deploy.runtime.Lifecycle;
import java.util.ArrayList;
import java.util.List;

/** Actions that keep what they were asked, for tests of the option parsing. */
final class RecordingActions implements Actions {
    final List<Object> calls = new ArrayList<>();
    int exitCode;
    Exception failure;

    private int answer(Object args) throws Exception {
        calls.add(args);
        if (failure != null) {
            throw failure;
        }
        return exitCode;
    }

    @Override
    public int demo(DemoArgs args, Lifecycle lifecycle) throws Exception {
        return answer(args);
    }

    @Override
    public int replay(ReplayArgs args, Lifecycle lifecycle) throws Exception {
        return answer(args);
    }

    @Override
    public int record(RecordArgs args, Lifecycle lifecycle) throws Exception {
        return answer(args);
    }

    @Override
    public int confirm(ConfirmArgs args, Lifecycle lifecycle) throws Exception {
        return answer(args);
    }

    @Override
    public int connector(ConnectorArgs args, Lifecycle lifecycle) throws Exception {
        return answer(args);
    }

    @Override
    public int generate(GenerateArgs args, Lifecycle lifecycle) throws Exception {
        return answer(args);
    }

    @Override
    public int bench(BenchArgs args, Lifecycle lifecycle) throws Exception {
        return answer(args);
    }

    @Override
    public int dashboard(DashboardArgs args, Lifecycle lifecycle) throws Exception {
        return answer(args);
    }
}
