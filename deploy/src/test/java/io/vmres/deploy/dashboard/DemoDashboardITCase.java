package io.vmres.deploy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.commands.Demo;
import io.vmres.deploy.runtime.Lifecycle;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * {@code vmres demo} and its dashboard in a real browser: the demo crashes a host, and the page
 * itself shows the host turn failed, its incident appear and reach RECOVERED, and the VM counts
 * move from the host to others, as many as the demo says it restarted.
 */
@Tag("slow")
class DemoDashboardITCase {
    private static final Pattern URL = Pattern.compile("dashboard: (http://\\S+)");
    private static final Pattern CRASH =
            Pattern.compile("crash +(\\S+) \\(cluster \\S+, rack \\S+\\): (\\d+) VMs? on it");

    @Test
    void demoCrashesAHostAndThePageShowsItFailAndItsIncidentRecover() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Lifecycle lifecycle = new Lifecycle();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        // the first crash 40 s after the start, the next 40 s later: the first incident is over by
        // then
        Future<Integer> demo =
                pool.submit(
                        () ->
                                Demo.run(
                                        Optional.empty(),
                                        24,
                                        6,
                                        Duration.ofSeconds(40),
                                        7,
                                        Optional.of(0),
                                        lifecycle,
                                        console));
        try (Browser browser = Browser.open(1400, 1000)) {
            String url = find(bytes, URL, Duration.ofSeconds(120)).group(1);
            browser.driver.get(url);
            browser.await(
                    Duration.ofSeconds(60),
                    d -> d.findElements(By.cssSelector(".tile")).size() == 24);
            Map<String, Integer> before = vmsOfTiles(browser);

            Matcher crash = find(bytes, CRASH, Duration.ofSeconds(90));
            String victim = crash.group(1);
            int vms = Integer.parseInt(crash.group(2));
            assertThat(before.get(victim)).isEqualTo(vms);
            By tile = By.cssSelector(".tile[data-host='" + victim + "']");
            browser.await(
                    Duration.ofSeconds(60),
                    d -> "failed".equals(d.findElement(tile).getDomAttribute("data-state")));
            String id =
                    browser.await(
                            Duration.ofSeconds(30),
                            d ->
                                    d.findElements(By.cssSelector(".incident")).stream()
                                            .filter(e -> e.getText().contains(victim))
                                            .map(e -> e.getDomAttribute("data-incident"))
                                            .findFirst()
                                            .orElse(null));
            By card = By.cssSelector(".incident[data-incident='" + id + "']");
            browser.await(
                    Duration.ofSeconds(120),
                    d -> "RECOVERED".equals(d.findElement(card).getDomAttribute("data-state")));
            Matcher said =
                    find(
                            bytes,
                            Pattern.compile(
                                    "RECOVERED " + id + " " + victim + ": (\\d+) VMs? restarted"),
                            Duration.ofSeconds(30));
            int restarted = Integer.parseInt(said.group(1));

            // what is left on the failed host is what the demo did not restart (VMs that are not
            // HA)
            browser.await(
                    Duration.ofSeconds(10),
                    d ->
                            String.valueOf(vms - restarted)
                                    .equals(d.findElement(tile).getDomAttribute("data-vms")));
            @SuppressWarnings("unchecked")
            List<String> shown =
                    (List<String>)
                            browser.driver.executeScript(
                                    "const p = document.querySelector(\".incident[data-incident='\" + arguments[0]"
                                            + " + \"'] .progress\"); return [p.dataset.recovered, p.dataset.total];",
                                    id);
            assertThat(Integer.parseInt(shown.get(0))).isEqualTo(restarted);
            assertThat(Integer.parseInt(shown.get(1))).isEqualTo(vms);
            // the restarted VMs are on other hosts now (a later crash only moves VMs among them)
            Map<String, Integer> after =
                    browser.await(
                            Duration.ofSeconds(10),
                            d -> {
                                Map<String, Integer> now = vmsOfTiles(browser);
                                return sumBut(now, victim) - sumBut(before, victim) == restarted
                                        ? now
                                        : null;
                            });
            assertThat(after.get(victim)).isEqualTo(vms - restarted);
            System.out.printf(
                    "dashboard: the demo crashed %s (%d VMs); the page showed it failed, %s RECOVERED, %d"
                            + " VMs restarted on other hosts%n",
                    victim, vms, id, restarted);
        } finally {
            lifecycle.close();
            pool.shutdown();
            if (!pool.awaitTermination(2, TimeUnit.MINUTES)) {
                pool.shutdownNow();
            }
            System.out.print(bytes.toString(StandardCharsets.UTF_8));
        }
        assertThat(demo.get()).isZero();
    }

    /** Polls the demo's console for a line, until the deadline. */
    private static Matcher find(ByteArrayOutputStream console, Pattern p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = p.matcher(console.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return m;
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        throw new AssertionError("no " + p + " in the demo's output:\n" + console);
    }

    /** The VM count of every tile, read at once in the page. */
    private static Map<String, Integer> vmsOfTiles(Browser browser) {
        @SuppressWarnings("unchecked")
        List<List<String>> tiles =
                (List<List<String>>)
                        browser.driver.executeScript(
                                "return [...document.querySelectorAll('.tile')]"
                                        + ".map(t => [t.dataset.host, t.dataset.vms]);");
        return tiles.stream()
                .collect(Collectors.toMap(t -> t.get(0), t -> Integer.parseInt(t.get(1))));
    }

    private static int sumBut(Map<String, Integer> m, String except) {
        return m.entrySet().stream()
                .filter(e -> !e.getKey().equals(except))
                .mapToInt(Map.Entry::getValue)
                .sum();
    }
}
