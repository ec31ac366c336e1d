package io.vmres.deploy.dashboard;

import io.vmres.engine.out.AdmissionOut;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.HostStateOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import io.vmres.job.live.DecisionRecords;

/**
 * An engine's decisions of one cluster straight into a {@link DashboardModel}, as the records the
 * job would write to its topics: the dashboard of a replay, with no broker in between.
 */
final class ModelOutput implements Output {
    private final String cluster;
    private final DashboardModel model;

    ModelOutput(String cluster, DashboardModel model) {
        this.cluster = cluster;
        this.model = model;
    }

    @Override
    public void command(CommandOut c) {
        model.apply(DecisionRecords.command(c, cluster));
    }

    @Override
    public void result(ResultOut r) {
        model.apply(DecisionRecords.result(r, cluster));
    }

    @Override
    public void incident(IncidentOut i) {
        model.apply(DecisionRecords.incident(i, cluster));
    }

    @Override
    public void alert(AlertOut a) {
        model.apply(DecisionRecords.alert(a, cluster));
    }

    @Override
    public void admission(AdmissionOut a) {
        model.apply(DecisionRecords.admission(a));
    }

    @Override
    public void hostState(HostStateOut h) {
        model.apply(DecisionRecords.hostState(h));
    }

    @Override
    public boolean wantsHostStates() {
        return true;
    }
}
