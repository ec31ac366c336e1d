#!/usr/bin/env python3
"""Writes the engine's small test recordings (and their NAME.expect.json) into this folder.

Deterministic: every run writes the same bytes. Each recording shows one rule of the spec.
"""
import json, os
from datetime import datetime, timedelta, timezone

T0 = datetime(2026, 3, 1, 10, 0, 0, tzinfo=timezone.utc)
HERE = os.path.dirname(os.path.abspath(__file__))


def ts(s):
    return (T0 + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{int(round(s * 1000)) % 1000:03d}Z"


class Rec:
    def __init__(self, name, description, config=None):
        self.name, self.ev = name, []
        meta = {"type": "meta", "name": name, "description": description}
        if config:
            meta["config"] = config
        self.meta = meta
        self.hosts = {}

    def add(self, t, **e):
        e["ts"] = ts(t)
        self.ev.append((round(t, 3), len(self.ev), e))

    def host(self, h, cluster="c1", rack="r01", pd="pd01", cpu=64, mem=262144, spare=False, bmc=True, t=0):
        self.hosts[h] = cluster
        self.add(t, type="host", host=h, cluster=cluster, cpu=cpu, memMb=mem, rack=rack, powerDomain=pd,
                 hypervisor="kvm", storageDomains=["sd-1"], spare=spare, bmc=bmc)

    def vm(self, v, h, cpu=4, mem=16384, priority=500, ha=True, group=None, depends=None, t=0.5):
        e = dict(type="vm", vm=v, host=h, cpu=cpu, memMb=mem, priority=priority, ha=ha, storageDomain="sd-1",
                 disks=[v.replace("vm", "vol") + "-a"])
        if group:
            e["antiAffinityGroup"] = group
        if depends:
            e["dependsOn"] = depends
        self.add(t, **e)

    def beats(self, h, start, end, period=2.0, offset=0.0, channels=("mgmt", "storage"), skip=None):
        t = start + offset
        while t <= end + 1e-9:
            if not (skip and skip(t)):
                for c in channels:
                    self.add(t, type="heartbeat", host=h, channel=c)
            t = round(t + period, 3)

    def power(self, h, start, end, state="on", period=10.0, offset=0.0):
        t = start + offset
        while t <= end + 1e-9:
            self.add(t, type="power", host=h, state=state if not callable(state) else state(t))
            t = round(t + period, 3)

    def write(self, expect):
        self.ev.sort(key=lambda x: (x[0], x[1]))
        with open(os.path.join(HERE, self.name + ".jsonl"), "w") as f:
            f.write(json.dumps(self.meta, separators=(",", ":")) + "\n")
            for _, _, e in self.ev:
                f.write(json.dumps(e, separators=(",", ":")) + "\n")
        with open(os.path.join(HERE, self.name + ".expect.json"), "w") as f:
            json.dump(dict(name=self.name, **expect), f, indent=1)
            f.write("\n")


END = 240.0


def fleet(r, n, racks=3, cluster="c1", prefix="h", vms_per_host=3, cpu=64, mem=262144, spares=(), nobmc=()):
    names = []
    for i in range(1, n + 1):
        h = f"{prefix}-{i:03d}"
        rack = f"r{(i - 1) % racks + 1:02d}"
        r.host(h, cluster=cluster, rack=rack, pd="pd" + rack[1:], cpu=cpu, mem=mem, spare=h in spares,
               bmc=h not in nobmc)
        names.append(h)
    k = 0
    for h in names:
        if h in spares:
            continue
        for j in range(vms_per_host):
            k += 1
            r.vm(f"vm-{prefix}{k:04d}", h, priority=[900, 500, 100][j % 3])
    return names


def telemetry_outage():
    r = Rec("telemetry-outage", "five of eight hosts go silent at once with power on: one outage, no "
            "restart; one of them then reads power off and becomes a host failure; the rest come back")
    hs = fleet(r, 8)
    silent = hs[:5]
    for i, h in enumerate(hs):
        off = i * 0.037
        if h in silent:
            r.beats(h, 0, 60, offset=off)
            r.beats(h, 150, END, offset=off) if h != hs[0] else None
        else:
            r.beats(h, 0, END, offset=off)
        r.power(h, 1, END, state=(lambda t: "off" if t >= 100 else "on") if h == hs[0] else "on")
    r.write(dict(incidents=[dict(kind="TELEMETRY_OUTAGE", hosts=silent[1:]),
                            dict(kind="HOST_FAILURE", hosts=[hs[0]])],
                 restartHosts=[hs[0]], mustNotRestart=silent[1:]))


def rack_failure():
    r = Rec("rack-failure", "rack r01 (four of twelve hosts) loses power: one incident, planned together, "
            "no target in the failed rack")
    hs = fleet(r, 12, racks=3)
    rack = [h for i, h in enumerate(hs) if i % 3 == 0]
    for i, h in enumerate(hs):
        off = i * 0.031
        r.beats(h, 0, 90 if h in rack else END, offset=off)
        r.power(h, 1, END, state=(lambda t: "off" if t >= 91 else "on") if h in rack else "on")
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=rack, single=True)], restartHosts=rack,
                 avoidDomain={"rack": "r01"}))


def maintenance():
    r = Rec("maintenance", "a host is drained for maintenance by live migration, then its maintenance ends; a "
            "second host's maintenance ends before its drain is done (its migrations not issued are dropped)",
            config={"maxInFlightPerTarget": 1})
    hs = fleet(r, 5, vms_per_host=3)
    for i, h in enumerate(hs):
        r.beats(h, 0, END, offset=i * 0.05)
        r.power(h, 1, END)
    r.add(60, type="maintenance", host=hs[0], deadline=ts(60 + 1800), reason="firmware", requestedBy="ops")
    r.add(150, type="maintenance-end", host=hs[0])
    r.add(160, type="maintenance", host=hs[1], deadline=ts(160 + 1800), reason="dimm swap", requestedBy="ops")
    r.add(170, type="maintenance-end", host=hs[1])
    r.write(dict(incidents=[dict(kind="MAINTENANCE", hosts=[hs[0]]), dict(kind="MAINTENANCE", hosts=[hs[1]])],
                 drainHosts=[hs[0]], drainDeadlineFromIncident=1800))


def flapping():
    r = Rec("flapping-heartbeats", "heartbeats with gaps up to exactly the timeout, never longer: no incident")
    hs = fleet(r, 4)
    for i, h in enumerate(hs):
        r.power(h, 1, END)
    r.beats(hs[0], 0, END, period=10.0)                 # a gap of exactly the timeout is no loss
    r.beats(hs[1], 0, END, period=9.999, offset=0.01)
    r.beats(hs[2], 0, END, offset=0.02, skip=lambda t: 50 < t < 59.5)   # 9.x s hole
    r.beats(hs[3], 0, END, offset=0.03, channels=("mgmt",))            # never used storage
    r.write(dict(incidents=[], mustNotFail=hs))


def capacity_shortage():
    r = Rec("capacity-shortage", "a host fails where the others have room for only some of its VMs: the "
            "lowest priorities stay unplaced, nothing is overcommitted")
    hs = fleet(r, 4, cpu=16, mem=65536, vms_per_host=3)
    r.vm("vm-extra", hs[0], priority=50)
    for i, h in enumerate(hs):
        r.beats(h, 0, 80 if i == 0 else END, offset=i * 0.05)
        r.power(h, 1, END, state=(lambda t: "off" if t >= 81 else "on") if i == 0 else "on")
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=[hs[0]])], restartHosts=[hs[0]],
                 allowUnplaced=True, mustHaveAlert="UNPLACED"))


def second_failure():
    r = Rec("second-failure", "a host fails; while its VMs restart, one of their targets fails too (its BMC "
            "still reads on, so it is fenced): restarts sent there fail and go elsewhere, and its own VMs "
            "are recovered after the fence", config={"maxInFlightPerTarget": 2})
    hs = fleet(r, 6, racks=6)
    for i, h in enumerate(hs):
        stop = {0: 60, 1: 85}.get(i, END)
        r.beats(h, 0, stop, offset=i * 0.05)
        r.power(h, 1, END, state=(lambda t: "off" if t >= 61 else "on") if i == 0 else "on")
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=[hs[0]]), dict(kind="HOST_FAILURE", hosts=[hs[1]])],
                 restartHosts=hs[:2], mustFence=[hs[1]]))


def clusters():
    r = Rec("cluster-independence", "two clusters: a host fails in each at the same instant; a sim-fault "
            "fails the first restart in each cluster separately; a dependency across clusters is ignored")
    a = fleet(r, 4, cluster="c1", prefix="a")
    b = fleet(r, 4, cluster="c2", prefix="b")
    r.vm("vm-cross", a[0], priority=800, depends=["vm-b0001"])
    r.add(0.2, type="sim-fault", action="RESTART_VM", count=1)
    for i, h in enumerate(a + b):
        dead = h in (a[0], b[0])
        r.beats(h, 0, 70 if dead else END, offset=(i % 4) * 0.05)
        r.power(h, 1, END, state=(lambda t: "off" if t >= 71 else "on") if dead else "on")
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=[a[0]]), dict(kind="HOST_FAILURE", hosts=[b[0]])],
                 restartHosts=[a[0], b[0]]))


def predicted_temperature():
    r = Rec("predicted-temperature", "a CPU runs at or above 90 C for three aligned minutes: predicted "
            "failure, drained by live migration; another host's hot minutes are broken by a cool sample")
    hs = fleet(r, 4, spares=())
    for i, h in enumerate(hs):
        r.beats(h, 0, 400, offset=i * 0.05)
        r.power(h, 1, 400)
    for s in range(5, 400, 15):
        r.add(s, type="health", host=hs[0], sensor="cpu_temp_c", value=95 if s >= 60 else 70)
        r.add(s + 0.5, type="health", host=hs[1], sensor="cpu_temp_c", value=70 if s % 120 == 5 else 93)
    r.write(dict(incidents=[dict(kind="PREDICTED_FAILURE", hosts=[hs[0]])], drainHosts=[hs[0]],
                 mustNotDrain=[hs[1]]))


def drain_then_failure():
    r = Rec("drain-then-failure", "a host with a predictive failure alert drains slowly (one migration at a "
            "time per target) and dies meanwhile: the drain closes, the failure restarts what is left",
            config={"maxInFlightPerTarget": 1})
    hs = fleet(r, 3, vms_per_host=8)
    for i, h in enumerate(hs):
        r.beats(h, 0, 75 if i == 0 else END, offset=i * 0.05)
        r.power(h, 1, END, state=(lambda t: "off" if t >= 76 else "on") if i == 0 else "on")
    r.add(40, type="health", host=hs[0], sensor="pfa", value=1)
    r.write(dict(incidents=[dict(kind="PREDICTED_FAILURE", hosts=[hs[0]]), dict(kind="HOST_FAILURE", hosts=[hs[0]])],
                 restartHosts=[hs[0]]))


def command_timeout():
    r = Rec("command-timeout", "restarts take 30 s where commandTimeout is 25 s: every attempt times out at "
            "25 s, on a new target each time, and the VMs are reported RETRIES_EXHAUSTED; disk maps (2 s) "
            "succeed", config={"commandTimeout": "PT25S"})
    hs = fleet(r, 5, racks=5, vms_per_host=2)
    for i, h in enumerate(hs):
        r.beats(h, 0, 70 if i == 0 else END, offset=i * 0.05)
        r.power(h, 1, END, state=(lambda t: "off" if t >= 71 else "on") if i == 0 else "on")
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=[hs[0]])], restartHosts=[hs[0]],
                 exhausted=["vm-h0001", "vm-h0002"], mustHaveAlert="RETRIES_EXHAUSTED"))


def confirmed_rack():
    r = Rec("no-bmc-rack", "two hosts without a BMC in one rack go silent together: one NEEDS_CONFIRMATION "
            "incident; each is confirmed at its own time and recovered as it is; the failed rack takes no VM")
    hs = fleet(r, 9, racks=3, nobmc=("h-001", "h-004"))
    for i, h in enumerate(hs):
        r.beats(h, 0, 60 if h in ("h-001", "h-004") else END, offset=i * 0.05)
        r.power(h, 1, END)
    r.add(100, type="operator-confirm", host="h-001", requestedBy="oncall", reason="dark at the console")
    r.add(150, type="operator-confirm", host="h-004", requestedBy="oncall")
    r.add(151, type="operator-confirm", host="h-004", requestedBy="oncall")
    r.write(dict(incidents=[dict(kind="NEEDS_CONFIRMATION", hosts=["h-001", "h-004"], single=True)],
                 restartHosts=["h-001", "h-004"], forbidActions=["FENCE_HOST"], mustHaveAlert="CONFIRM_IGNORED",
                 avoidDomain={"rack": "r01"}))


def isolation():
    r = Rec("isolation-then-silence", "one host loses its management network while storage beats go on: an "
            "isolation, nothing fenced or restarted, closed when management returns; later a second host is "
            "isolated, then loses storage too: its isolation closes and it becomes a host failure")
    hs = fleet(r, 8)
    a, b = hs[0], hs[1]
    for i, h in enumerate(hs):
        off = i * 0.043
        if h == a:
            r.beats(h, 0, 40, offset=off, channels=("mgmt",))
            r.beats(h, 90, END, offset=off, channels=("mgmt",))
            r.beats(h, 0, END, offset=off, channels=("storage",))
        elif h == b:
            r.beats(h, 0, 120, offset=off, channels=("mgmt",))
            r.beats(h, 0, 160, offset=off, channels=("storage",))
        else:
            r.beats(h, 0, END, offset=off)
        r.power(h, 1, END, state=(lambda t: "off" if t >= 170 else "on") if h == b else "on")
    r.write(dict(incidents=[dict(kind="HOST_ISOLATED", hosts=[a]), dict(kind="HOST_ISOLATED", hosts=[b]),
                            dict(kind="HOST_FAILURE", hosts=[b])],
                 restartHosts=[b], mustNotRestart=[a]))


def several_clusters():
    r = Rec("several-clusters-at-once", "three clusters lose hosts at the same instant: a rack of three in c1 "
            "(power off, a dependency chain), a host in c2 whose BMC still reads on (fenced; its first restart "
            "fails and goes elsewhere), a host without a BMC in c3 (confirmed by an operator); each cluster "
            "recovers on its own, c1 as fast as if it were alone")
    a = fleet(r, 9, racks=3, cluster="c1", prefix="a")
    b = fleet(r, 6, racks=6, cluster="c2", prefix="b")
    c = fleet(r, 6, racks=6, cluster="c3", prefix="c", nobmc=("c-001",))
    rack = [h for i, h in enumerate(a) if i % 3 == 0]
    r.vm("vm-web", rack[0], priority=700, depends=["vm-db"])
    r.vm("vm-db", rack[1], priority=300, depends=["vm-store"])
    r.vm("vm-store", rack[2], priority=100)
    r.add(0.2, type="sim-fault", action="RESTART_VM", count=1, host="b-001")
    dead = set(rack) | {"b-001", "c-001"}
    for i, h in enumerate(a + b + c):
        r.beats(h, 0, 70 if h in dead else END, offset=(i % 5) * 0.05)
        if h == "b-001":
            r.power(h, 1, END)
        elif h != "c-001":
            r.power(h, 1, END, state=(lambda t: "off" if t >= 71 else "on") if h in dead else "on")
    r.add(120, type="operator-confirm", host="c-001", requestedBy="oncall", reason="no lights")
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=rack, single=True),
                            dict(kind="HOST_FAILURE", hosts=["b-001"]),
                            dict(kind="NEEDS_CONFIRMATION", hosts=["c-001"])],
                 restartHosts=rack + ["b-001", "c-001"], mustFence=["b-001"], avoidDomain={"rack": "r01"},
                 # c1: last beat 70 s, declared 82 s, maps by 84 s, three restarts in dependency order
                 recoverBy={h: 70 + 12 + 2 + 3 * 30 + 1 for h in rack}))


def drain_deadline_under_load():
    r = Rec("drain-deadline-under-load", "a host fails while another is put in maintenance with a deadline of "
            "75 s; both go to the same two targets, two commands at a time each: the restarts go first while "
            "the drain can wait, then its migrations, low priority as they are, go before the last restarts "
            "so that its deadline holds", config={"maxInFlightPerTarget": 2})
    hs = fleet(r, 4, racks=4, vms_per_host=0)
    for j in range(8):
        r.vm(f"vm-down{j}", hs[0], priority=900)
    for j in range(4):
        r.vm(f"vm-move{j}", hs[1], priority=100)
    for i, h in enumerate(hs):
        r.beats(h, 0, 20 if i == 0 else END, offset=i * 0.05)
        r.power(h, 1, END, state=(lambda t: "off" if t >= 21 else "on") if i == 0 else "on")
    r.add(32, type="maintenance", host=hs[1], deadline=ts(32 + 75), reason="psu swap", requestedBy="ops")
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=[hs[0]]), dict(kind="MAINTENANCE", hosts=[hs[1]])],
                 restartHosts=[hs[0]], drainHosts=[hs[1]], drainDeadlineFromIncident=75))


def fleet_hour():
    """300 hosts in three clusters for an hour, 123 hosts failing or drained: crashes (power off, BMC on and
    fenced, no BMC and confirmed), rack power losses, predicted failures, maintenance. Heartbeats every
    20 s on the management network only (timeout 30 s), to keep the file small."""
    import random
    rnd = random.Random(7)
    r = Rec("fleet-hour", "300 hosts in three clusters over an hour: 84 host crashes (power off, fenced, or "
            "confirmed by an operator; most come back ten minutes later), three racks of five losing power, "
            "12 predicted failures and 12 maintenance drains with ten-minute deadlines; in each cluster the "
            "first four restarts, two maps and a fence fail and are retried",
            config={"heartbeatTimeout": "PT30S", "evacuationLeadTime": "PT10M"})
    end, period = 3600.0, 20.0
    hosts = []
    for cl in range(3):
        for i in range(100):
            h = f"h{cl + 1}-{i + 1:03d}"
            rack = f"c{cl + 1}r{i // 5 + 1:02d}"
            nobmc = i % 25 == 7
            r.host(h, cluster=f"c{cl + 1}", rack=rack, pd="pd-" + rack, cpu=64, mem=262144, bmc=not nobmc,
                   spare=i == 99)
            hosts.append((h, cl, rack, nobmc, i == 99))
    k = 0
    for h, cl, rack, nobmc, spare in hosts:
        if spare:
            continue
        for j in range(3):
            k += 1
            r.vm(f"vm-{k:04d}", h, priority=[900, 500, 100][j], depends=[f"vm-{k - 1:04d}"] if j == 2 else None)
    # in each cluster: the first restarts, a map and a fence fail, and are retried
    r.add(0.2, type="sim-fault", action="RESTART_VM", count=4)
    r.add(0.2, type="sim-fault", action="MAP_DISKS", count=2)
    r.add(0.2, type="sim-fault", action="FENCE_HOST", count=1)
    order = [x for x in hosts if not x[4]]
    rnd.shuffle(order)
    racks = []
    for cl in range(3):
        rk = f"c{cl + 1}r{rnd.randrange(2, 20):02d}"
        racks.append(rk)
    rack_hosts = [x for x in hosts if x[2] in racks]
    rest = [x for x in order if x[2] not in racks]
    crashes, predicted, maint = rest[:84], rest[84:96], rest[96:108]
    stop, back, off_at, on_again, confirm = {}, {}, {}, {}, {}
    for n, (h, cl, rack, nobmc, _) in enumerate(crashes):
        t = round(150 + n * (3100 / 84) + rnd.random() * 20, 3)
        stop[h] = t
        if nobmc:
            confirm[h] = round(t + 90, 3)
        elif n % 5 == 3:
            pass                                  # BMC reads on: fenced
        else:
            off_at[h] = round(t + 3, 3)
        if n % 6 != 5 and t + 600 < end - 60:
            back[h] = round(t + 600, 3)
            if h in off_at:
                on_again[h] = back[h]
    for n, rk in enumerate(racks):
        t = 600.0 + n * 1000
        for h, cl, rack, nobmc, _ in rack_hosts:
            if rack == rk:
                stop[h] = t
                if not nobmc:
                    off_at[h] = t + 2
                else:
                    confirm[h] = t + 100
    for i, (h, cl, rack, nobmc, _) in enumerate(hosts):
        off = (i * 0.731) % period
        if h in stop:
            r.beats(h, 0, stop[h], period=period, offset=off, channels=("mgmt",))
            if h in back:
                r.beats(h, back[h], end, period=period, offset=off, channels=("mgmt",))
        else:
            r.beats(h, 0, end, period=period, offset=off, channels=("mgmt",))
        if not nobmc:
            r.add(1, type="power", host=h, state="on")
        if h in off_at:
            r.add(off_at[h], type="power", host=h, state="off")
        if h in on_again:
            r.add(on_again[h], type="power", host=h, state="on")
        if h in confirm:
            r.add(confirm[h], type="operator-confirm", host=h, requestedBy="oncall")
    for n, (h, *_rest) in enumerate(predicted):
        r.add(round(200 + n * 270 + rnd.random() * 30, 3), type="health", host=h, sensor="pfa", value=1)
    for n, (h, *_rest) in enumerate(maint):
        t = round(300 + n * 270 + rnd.random() * 30, 3)
        r.add(t, type="maintenance", host=h, deadline=ts(t + 600), reason="firmware", requestedBy="ops")
        if t + 900 < end - 60:
            r.add(t + 900, type="maintenance-end", host=h)
    hf = sorted(h for h, *x in crashes + rack_hosts if not x[2])
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=sorted(h for h, _, rk, nb, _s in rack_hosts
                                                                   if rk == racks[0] and not nb), single=True)],
                 restartHosts=hf + sorted(confirm), mustFence=sorted(h for h, *x in crashes
                                                                     if h not in off_at and not x[2]),
                 drainHosts=sorted(h for h, *_x in predicted + maint), drainDeadlineFromIncident=600))


def wrong_clocks_fleet():
    r = Rec("wrong-clocks-fleet", "every line carries recvTs, its arrival 4 ms after the instant it stands for; "
            "h-002's clock runs 40 s fast from 50 s on, h-003's 20 s slow from 60 s on, one heartbeat of h-004 "
            "is stamped in 2031 and one of h-005 0.9 s ahead (within maxClockSkew); h-006 crashes at 120 s and "
            "is recovered as ever; one honest heartbeat arrives 10 s late and is a late event")
    hs = fleet(r, 8)
    for i, h in enumerate(hs):
        off = i * 0.043
        r.beats(h, 0, 120 if h == "h-006" else END, offset=off)
        r.power(h, 1, END, state=(lambda t: "off" if t >= 121 else "on") if h == "h-006" else "on")
    lines = []
    for t, n, e in r.ev:
        e["recvTs"] = ts(t + 0.004)
        h = e.get("host")
        if e["type"] == "heartbeat" and h == "h-002" and t >= 50:
            e["ts"] = ts(t + 40)
        elif e["type"] == "heartbeat" and h == "h-003" and t >= 60:
            e["ts"] = ts(t - 20)
        lines.append((t, n, e))
    r.ev = lines
    r.add(80.5, type="heartbeat", host="h-004", channel="mgmt")
    r.ev[-1][2].update(ts="2031-03-01T10:01:20.500Z", recvTs=ts(80.504))
    r.add(90.5, type="heartbeat", host="h-005", channel="mgmt")
    r.ev[-1][2].update(ts=ts(91.4), recvTs=ts(90.5))
    # written at 150.5 in line order, stands for 140: 10 s behind, a late event whatever its clock
    r.ev.append((150.5, len(r.ev), dict(type="heartbeat", host="h-007", channel="storage", ts=ts(140),
                                         recvTs=ts(140.004))))
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=["h-006"], silentAt=120.0)], restartHosts=["h-006"],
                 mustNotFail=["h-002", "h-003", "h-004", "h-005", "h-007"], lateEvents=1))


def bounds():
    r = Rec("bounds", "lines beyond the spec's bounds are bad input and never stop the replay: a line of more "
            "than 1,048,576 characters, objects nested 65 deep, a host name of 257 characters, a list item of "
            "257, a reason of 4,097; the same at the bound are valid; h-001 crashes and is recovered")
    hs = fleet(r, 5)
    for i, h in enumerate(hs):
        r.beats(h, 0, 60 if h == "h-001" else END, offset=i * 0.05)
        r.power(h, 1, END, state=(lambda t: "off" if t >= 61 else "on") if h == "h-001" else "on")
    long_id = "h" * 256
    r.add(10, type="host", host=long_id, cluster="c9", cpu=8, memMb=8192, rack="r" * 256)
    r.add(11, type="heartbeat", host="h" * 257, channel="mgmt")
    r.add(12, type="vm", vm="vm-x", host=long_id, cpu=1, memMb=1, disks=["d" * 256, "d" * 257])
    r.add(13, type="vm", vm="vm-y", host=long_id, cpu=1, memMb=1, disks=["d" * 256])
    r.add(14, type="operator-confirm", host="h-002", reason="r" * 4097)
    r.add(15, type="maintenance-end", host="h-004", **{"x": json.loads("[" * 63 + "]" * 63)})
    r.add(16, type="maintenance-end", host="h-005", **{"x": json.loads("[" * 64 + "]" * 64)})
    r.add(17, type="heartbeat", host="h-002", channel="mgmt", padding="p" * 1_048_576)
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=["h-001"])], restartHosts=["h-001"],
                 mustNotFail=["h-002", "h-003", "h-004", "h-005"], deadLetters=5))


def domain_readings(r, domains, end, off=None, on_again=None, period=10.0, quiet=None):
    """A PDU per domain reading on every period; off (and on again) at the given times; a PDU whose
    poller dies reads nothing from its quiet time on."""
    off, on_again, quiet = off or {}, on_again or {}, quiet or {}
    for d in domains:
        t = 3.0
        while t <= min(end, quiet.get(d, end)) + 1e-9:
            state = "on"
            if d in off and t >= off[d] and not (d in on_again and t >= on_again[d]):
                state = "off"
            r.add(t, type="power-domain", powerDomain=d, state=state, source="pdu-" + d)
            t = round(t + period, 3)
        for when in (off.get(d), on_again.get(d)):
            if when is not None:
                r.add(when, type="power-domain", powerDomain=d,
                      state="on" if when == on_again.get(d) else "off", source="pdu-" + d)


def pdu_fed_another_way():
    r = Rec("pdu-fed-another-way", "rack r01 loses power at 90 s with its BMCs (power unknown); PDU pd01 reads "
            "off at 92 s: h-001 and h-004 are known down without a fence; h-007, in the same domain, is fed "
            "another way and speaks after the reading; the PDU's poller dies at 100 s: when h-007 hangs at 150 s "
            "the last off reading proves nothing for it, and it is fenced first (the rack's BMCs are dead: a "
            "fence of h-001 or h-004 would fail)")
    hs = fleet(r, 12)
    rack = ["h-001", "h-004"]
    for h in rack:  # their BMCs died with the rack: a fence of them cannot succeed
        r.add(0.2, type="sim-fault", action="FENCE_HOST", count=99, host=h)
    for i, h in enumerate(hs):
        off = i * 0.029
        stop = 90 if h in rack else 150 if h == "h-007" else END
        r.beats(h, 0, stop, offset=off)
        r.power(h, 1, END, state=(lambda t: "unknown" if t >= 90 else "on") if h in rack else "on")
    domain_readings(r, ["pd01", "pd02", "pd03"], END, off={"pd01": 92}, quiet={"pd01": 100})
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=rack, single=True, silentAt=90.0),
                            dict(kind="HOST_FAILURE", hosts=["h-007"], silentAt=150.0)],
                 restartHosts=rack + ["h-007"], mustFence=["h-007"]))


def pdu_off_then_on():
    r = Rec("pdu-off-then-on", "rack r01 goes silent at 90 s with its BMCs (power unknown); PDU pd01 reads off at "
            "92 s and on again at 95 s, before the hosts are declared: the off proves nothing; the fences fail "
            "(the BMCs are dead) and no VM of theirs is restarted")
    hs = fleet(r, 12)
    rack = ["h-001", "h-004"]
    r.add(0.2, type="sim-fault", action="FENCE_HOST", count=99)
    for i, h in enumerate(hs):
        off = i * 0.029
        r.beats(h, 0, 90 if h in rack else END, offset=off)
        r.power(h, 1, END, state=(lambda t: "unknown" if t >= 90 else "on") if h in rack else "on")
    domain_readings(r, ["pd01", "pd02", "pd03"], END, off={"pd01": 92}, on_again={"pd01": 95})
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=rack, single=True, silentAt=90.0)],
                 mustNotRestart=rack, mustFence=rack, mustHaveAlert="RETRIES_EXHAUSTED"))


def pdu_no_bmc():
    r = Rec("pdu-no-bmc", "two racks of hosts without a BMC lose power at 90 s: pd01 reads off at 91 s, before "
            "the decision, so r01's hosts are host failures known down; pd02 reads off only at 120 s, so r02's "
            "hosts first await confirmation and are then confirmed by their PDU; nobody confirms by hand")
    nobmc = ["h-001", "h-004", "h-002", "h-005"]
    hs = fleet(r, 12, nobmc=nobmc)
    for i, h in enumerate(hs):
        off = i * 0.029
        r.beats(h, 0, 90 if h in nobmc else END, offset=off)
        if h not in nobmc:
            r.power(h, 1, END)
    domain_readings(r, ["pd01", "pd02", "pd03"], END, off={"pd01": 91, "pd02": 120})
    r.write(dict(incidents=[dict(kind="HOST_FAILURE", hosts=["h-001", "h-004"], single=True, silentAt=90.0),
                            dict(kind="NEEDS_CONFIRMATION", hosts=["h-002", "h-005"], single=True, silentAt=90.0)],
                 restartHosts=nobmc, forbidActions=["FENCE_HOST"]))


def pdu_ends_outage():
    r = Rec("pdu-ends-outage", "five of eight hosts go silent at once with their BMCs (power unknown): a telemetry "
            "outage, nothing restarted; at 150 s PDU pd01 reads off: its three silent hosts leave the outage "
            "together, as one host failure, and are recovered without a fence; the two of pd02 stay in the outage")
    hs = fleet(r, 8, racks=2)
    silent = ["h-001", "h-003", "h-005", "h-002", "h-004"]
    for i, h in enumerate(hs):
        off = i * 0.037
        r.beats(h, 0, 60 if h in silent else END, offset=off)
        r.power(h, 1, END, state=(lambda t: "unknown" if t >= 60 else "on") if h in silent else "on")
    domain_readings(r, ["pd01", "pd02"], END, off={"pd01": 150})
    r.write(dict(incidents=[dict(kind="TELEMETRY_OUTAGE", hosts=["h-002", "h-004"]),
                            dict(kind="HOST_FAILURE", hosts=["h-001", "h-003", "h-005"], single=True)],
                 restartHosts=["h-001", "h-003", "h-005"], mustNotRestart=["h-002", "h-004"],
                 forbidActions=["FENCE_HOST"]))


for f in (isolation, telemetry_outage, rack_failure, maintenance, flapping, capacity_shortage, second_failure, clusters,
          predicted_temperature, drain_then_failure, command_timeout, confirmed_rack, several_clusters,
          drain_deadline_under_load, fleet_hour, wrong_clocks_fleet, bounds,
          pdu_fed_another_way, pdu_off_then_on, pdu_no_bmc, pdu_ends_outage):
    f()
