package io.vmres.deploy.runtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the simulated fleet's ledger says of a chaos run: VMs lost, commands executed twice, healthy
 * hosts fenced, VMs on two hosts at once (each must be 0), and each round's recovery time. Pure: it
 * reads the fleet's report ({@code GET /report} of its hypervisor endpoint) and the rounds as the
 * run injected them.
 *
 * @param vmsLost HA VMs of a failed host that no restart brought back within their round
 * @param commandsRunTwice command ids the fleet executed more than once
 * @param healthyHostsFenced hosts fenced while no round had them failed (between a round's start
 *     and its end)
 * @param vmsOnTwoHosts VMs that ever ran on two hosts at once
 * @param vmsRestartedMoreThanOnce VMs of a round restarted more than once within it
 * @param recoveries per round: its VMs, restarts and recovery time
 */
public record ChaosVerdict(
        Set<String> vmsLost,
        Set<String> commandsRunTwice,
        Set<String> healthyHostsFenced,
        Set<String> vmsOnTwoHosts,
        Set<String> vmsRestartedMoreThanOnce,
        List<Recovery> recoveries) {

    /** One round as the run injected it: the hosts it failed, their HA VMs, its time window. */
    public record Round(
            int number, long startMs, long endMs, List<String> hosts, List<String> vms) {}

    /**
     * One round's recovery: its VMs, how many were restarted, and the time from the failure to the
     * last successful restart (-1 when none succeeded).
     */
    public record Recovery(int round, int vms, int restarted, long recoveryMs) {}

    /** Whether none of the four counts is above 0. */
    public boolean clean() {
        return vmsLost.isEmpty()
                && commandsRunTwice.isEmpty()
                && healthyHostsFenced.isEmpty()
                && vmsOnTwoHosts.isEmpty();
    }

    public static ChaosVerdict of(JsonNode report, List<Round> rounds) {
        List<JsonNode> ledger = new ArrayList<>();
        report.path("ledger").forEach(ledger::add);

        Map<String, Integer> runs = new HashMap<>();
        for (JsonNode e : ledger) {
            runs.merge(e.path("commandId").asText(), 1, Integer::sum);
        }
        Set<String> twice = new TreeSet<>();
        runs.forEach(
                (id, n) -> {
                    if (n > 1) {
                        twice.add(id);
                    }
                });

        // a host is failed from the start of a round that failed it to that round's end (the run
        // repairs it then, and fails it again only in a later round); a fence of it outside
        // every such window, or of a host no round failed, fenced a healthy host
        Map<String, List<long[]>> failedDuring = new HashMap<>();
        for (Round r : rounds) {
            for (String h : r.hosts()) {
                failedDuring
                        .computeIfAbsent(h, k -> new ArrayList<>())
                        .add(new long[] {r.startMs(), r.endMs()});
            }
        }
        Set<String> healthyFenced = new TreeSet<>();
        for (JsonNode e : ledger) {
            if (e.path("action").asText().equals("FENCE_HOST")
                    && e.path("status").asText().equals("SUCCEEDED")) {
                String host = e.path("host").asText();
                long started = e.path("started").asLong();
                boolean failed =
                        failedDuring.getOrDefault(host, List.of()).stream()
                                .anyMatch(w -> started >= w[0] && started <= w[1]);
                if (!failed) {
                    healthyFenced.add(host);
                }
            }
        }

        Set<String> lost = new TreeSet<>();
        Set<String> restartedTwice = new TreeSet<>();
        List<Recovery> recoveries = new ArrayList<>();
        for (Round r : rounds) {
            Set<String> vms = new HashSet<>(r.vms());
            Map<String, Integer> restarts = new TreeMap<>();
            long last = -1;
            for (JsonNode e : ledger) {
                long finished = e.path("finished").asLong();
                if (e.path("action").asText().equals("RESTART_VM")
                        && e.path("status").asText().equals("SUCCEEDED")
                        && vms.contains(e.path("vm").asText())
                        && finished >= r.startMs()
                        && finished <= r.endMs()) {
                    restarts.merge(e.path("vm").asText(), 1, Integer::sum);
                    last = Math.max(last, finished);
                }
            }
            for (String vm : r.vms()) {
                int n = restarts.getOrDefault(vm, 0);
                if (n == 0) {
                    lost.add(vm);
                } else if (n > 1) {
                    restartedTwice.add(vm);
                }
            }
            recoveries.add(
                    new Recovery(
                            r.number(),
                            r.vms().size(),
                            restarts.size(),
                            last < 0 ? -1 : last - r.startMs()));
        }

        Set<String> doubled = new TreeSet<>();
        report.path("onTwoHostsAtOnce").forEach(v -> doubled.add(v.asText()));
        return new ChaosVerdict(lost, twice, healthyFenced, doubled, restartedTwice, recoveries);
    }
}
