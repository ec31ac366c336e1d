package io.vmres.deploy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.Latency;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.deploy.EmbeddedKafkaExtension;
import io.vmres.deploy.LiveRuntime;
import io.vmres.engine.Settings;
import io.vmres.schema.Action;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

/**
 * The dashboard in a real browser on the live runtime (broker, job, simulated fleet and its
 * connector): a host crashes, and the page itself shows the host turn failed, its incident open
 * and reach RECOVERED, and the VM counts move from the host to others.
 */
@Tag("slow")
class LiveDashboardITCase {
  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Test
  void crashedHostTurnsFailedAndItsIncidentRecoversInThePage() throws Exception {
    SimulatedFleet fleet =
        SimulatedFleet.builder().hosts(24).clusters(1).hostsPerRack(8).vmsPerHost(6).seed(7).build();
    SimulatedHypervisor hypervisor =
        SimulatedHypervisor.builder(fleet)
            .latency(Action.MAP_DISKS, Latency.fixed(Duration.ofMillis(200)))
            .latency(Action.RESTART_VM, Latency.of(Duration.ofSeconds(1), Duration.ofMillis(500)))
            .seed(7)
            .build();
    try (LiveRuntime runtime =
            LiveRuntime.builder(fleet).kafka(KAFKA.kafka()).hypervisor(hypervisor).start();
        Dashboard dashboard =
            Dashboard.start(KAFKA.bootstrapServers(), "127.0.0.1", 0, null, Settings.DEFAULTS);
        Browser browser = Browser.open(1400, 1000)) {
      browser.driver.get(dashboard.url());

      // every host of the fleet appears, healthy, with its VMs
      browser.await(
          Duration.ofSeconds(90),
          d -> d.findElements(By.cssSelector(".tile[data-state=healthy]")).size() == 24);
      FleetHost victim =
          fleet.hosts().stream()
              .filter(h -> !h.spare() && h.bmc() && !fleet.vmsOn(h.host()).isEmpty())
              .findFirst()
              .orElseThrow();
      By tile = By.cssSelector(".tile[data-host='" + victim.host() + "']");
      int vmsBefore = Integer.parseInt(browser.driver.findElement(tile).getDomAttribute("data-vms"));
      assertThat(vmsBefore).isEqualTo(fleet.vmsOn(victim.host()).size());
      Map<String, Integer> othersBefore = vmsOfOthers(browser, victim.host());

      fleet.crash(victim.host());

      browser.await(
          Duration.ofSeconds(60),
          d -> "failed".equals(d.findElement(tile).getDomAttribute("data-state")));
      String id =
          browser.await(
              Duration.ofSeconds(30),
              d ->
                  d.findElements(By.cssSelector(".incident")).stream()
                      .filter(e -> e.getText().contains(victim.host()))
                      .map(e -> e.getDomAttribute("data-incident"))
                      .findFirst()
                      .orElse(null));
      By card = By.cssSelector(".incident[data-incident='" + id + "']");
      browser.await(
          Duration.ofSeconds(120),
          d -> "RECOVERED".equals(d.findElement(card).getDomAttribute("data-state")));

      // the VMs left the failed host for others, and the incident counts them recovered
      browser.await(Duration.ofSeconds(10), d -> "0".equals(d.findElement(tile).getDomAttribute("data-vms")));
      // read at once in the page: its lists are re-rendered as updates come
      @SuppressWarnings("unchecked")
      List<String> shown =
          (List<String>)
              browser.driver.executeScript(
                  "const c = document.querySelector(\".incident[data-incident='\" + arguments[0]"
                      + " + \"']\"); const p = c.querySelector('.progress');"
                      + " return [p.dataset.recovered, p.dataset.total, p.textContent,"
                      + " c.textContent];",
                  id);
      int recovered = Integer.parseInt(shown.get(0));
      assertThat(recovered).isPositive();
      assertThat(Integer.parseInt(shown.get(1))).isEqualTo(vmsBefore);
      Map<String, Integer> othersAfter =
          browser.await(
              Duration.ofSeconds(10),
              d -> {
                Map<String, Integer> now = vmsOfOthers(browser, victim.host());
                return sum(now) - sum(othersBefore) == recovered ? now : null;
              });
      assertThat(othersAfter).isNotEqualTo(othersBefore);
      assertThat(shown.get(2)).contains(recovered + " of " + vmsBefore + " VMs recovered");
      assertThat(shown.get(3)).contains("recovery time");
      assertThat(runtime.job().getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
      System.out.printf(
          "dashboard: %s failed, %s RECOVERED, %d of %d VMs recovered, in the page%n",
          victim.host(), id, recovered, vmsBefore);
    }
  }

  /** The VM count of every tile but one, read at once in the page. */
  private static Map<String, Integer> vmsOfOthers(Browser browser, String except) {
    @SuppressWarnings("unchecked")
    List<List<String>> tiles =
        (List<List<String>>)
            browser.driver.executeScript(
                "return [...document.querySelectorAll('.tile')]"
                    + ".map(t => [t.dataset.host, t.dataset.vms]);");
    return tiles.stream()
        .filter(t -> !except.equals(t.get(0)))
        .collect(Collectors.toMap(t -> t.get(0), t -> Integer.parseInt(t.get(1))));
  }

  private static int sum(Map<String, Integer> m) {
    return m.values().stream().mapToInt(Integer::intValue).sum();
  }
}
