package io.vmres.connector.runtime;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A hypervisor connector for tests: counts calls per command id and the calls running at once (per
 * target and overall), and holds every call at a gate until the test opens it.
 */
final class FakeConnector implements HypervisorConnector {
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, Integer> nowPerTarget = new HashMap<>();
    private final Map<String, Integer> maxPerTarget = new HashMap<>();
    private int nowOverall;
    private int maxOverall;
    private final AtomicInteger interrupted = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile Function<Request, Outcome> answer = r -> Outcome.succeeded("done");
    private volatile java.util.function.Predicate<Request> handles = r -> true;

    void handles(java.util.function.Predicate<Request> handles) {
        this.handles = handles;
    }

    @Override
    public boolean handles(Request request) {
        return handles.test(request);
    }

    /** Holds every call from now on until {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    void answer(Function<Request, Outcome> answer) {
        this.answer = answer;
    }

    int calls(String commandId) {
        AtomicInteger n = calls.get(commandId);
        return n == null ? 0 : n.get();
    }

    int totalCalls() {
        return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    synchronized int running() {
        return nowOverall;
    }

    synchronized int maxRunning() {
        return maxOverall;
    }

    synchronized int maxRunning(String target) {
        return maxPerTarget.getOrDefault(target, 0);
    }

    int interrupted() {
        return interrupted.get();
    }

    /** Nothing runs anywhere but through its calls: a settle finds the target clean. */
    @Override
    public Outcome settle(Request request, Duration timeout) {
        return Outcome.succeeded("not running on " + request.limitKey());
    }

    @Override
    public Outcome fence(Request.Fence request, Duration timeout) throws InterruptedException {
        return handle(request);
    }

    @Override
    public Outcome mapDisks(Request.MapDisks request, Duration timeout)
            throws InterruptedException {
        return handle(request);
    }

    @Override
    public Outcome restart(Request.Restart request, Duration timeout) throws InterruptedException {
        return handle(request);
    }

    @Override
    public Outcome migrate(Request.Migrate request, Duration timeout) throws InterruptedException {
        return handle(request);
    }

    private Outcome handle(Request r) throws InterruptedException {
        calls.computeIfAbsent(r.commandId(), k -> new AtomicInteger()).incrementAndGet();
        enter(r.limitKey());
        try {
            gate.await();
            return answer.apply(r);
        } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
        } finally {
            leave(r.limitKey());
        }
    }

    private synchronized void enter(String target) {
        int n = nowPerTarget.merge(target, 1, Integer::sum);
        maxPerTarget.merge(target, n, Math::max);
        nowOverall++;
        maxOverall = Math.max(maxOverall, nowOverall);
    }

    private synchronized void leave(String target) {
        nowPerTarget.merge(target, -1, Integer::sum);
        nowOverall--;
    }
}
