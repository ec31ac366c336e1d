package io.vmres.connector.runtime;

import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the job's commands against a {@link HypervisorConnector} and writes their results: reads
 * {@code Command}s (committed records only), runs them on a thread pool within in-flight limits per
 * target and overall, answers each with a {@code CommandResult}, and commits an offset only once
 * every command up to it is answered. A command id seen before is answered again with the earlier
 * result instead of running twice; a record that is no command goes to the dead-letter topic.
 *
 * <pre>{@code
 * HypervisorConnector connector = SimulatedHypervisor.builder(fleet).build();
 * ConnectorService service =
 *     new ConnectorService("localhost:9092", connector, ConnectorOptions.defaults()).start();
 * ...
 * service.close(); // stops reading, waits (bounded) for the calls in flight
 * }</pre>
 */
public final class ConnectorService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectorService.class);

  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final boolean ownsProducer;
  private final HypervisorConnector connector;
  private final ConnectorOptions options;
  private final AvroCodec codec = new AvroCodec();
  private final PartitionOffsets offsets = new PartitionOffsets();

  // Scheduling state, guarded by lock: the poll thread adds, workers and the watchdog finish.
  private final Object lock = new Object();
  private final LinkedList<Job> queue = new LinkedList<>();
  private final Map<String, Job> active = new HashMap<>();
  private final Map<String, Integer> runningPerTarget = new HashMap<>();
  private final Map<String, CommandResult> answered;
  private int running;

  private final ExecutorService workers;
  private final ScheduledExecutorService watchdog;
  private final Thread pollThread;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;
  private volatile long closeDeadlineNanos = Long.MAX_VALUE;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private final AtomicLong received = new AtomicLong();
  private final AtomicLong run = new AtomicLong();
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong timedOut = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();

  /**
   * A service with its own consumer ({@code read_committed}, manual commits, group {@link
   * ConnectorOptions#groupId()}) and idempotent producer on the given brokers.
   */
  public ConnectorService(
      String bootstrapServers, HypervisorConnector connector, ConnectorOptions options) {
    this(
        new KafkaConsumer<>(consumerConfig(bootstrapServers, options)),
        new KafkaProducer<>(producerConfig(bootstrapServers, options)),
        true,
        connector,
        options);
  }

  /**
   * A service on given clients (tests use {@code MockConsumer} and {@code MockProducer}). The
   * consumer must read committed records with auto-commit off; the service subscribes it, uses it
   * from its own thread only and closes it. The producer is the caller's: flushed, never closed.
   */
  public ConnectorService(
      Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer,
      HypervisorConnector connector,
      ConnectorOptions options) {
    this(consumer, producer, false, connector, options);
  }

  private ConnectorService(
      Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer,
      boolean ownsProducer,
      HypervisorConnector connector,
      ConnectorOptions options) {
    this.consumer = consumer;
    this.producer = producer;
    this.ownsProducer = ownsProducer;
    this.connector = connector;
    this.options = options;
    int remembered = options.rememberedResults();
    this.answered =
        new LinkedHashMap<>() {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, CommandResult> eldest) {
            return size() > remembered;
          }
        };
    this.workers = Executors.newCachedThreadPool(threads(options.clientId() + "-call-"));
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(threads(options.clientId() + "-timeout-"));
    this.pollThread = new Thread(this::pollLoop, options.clientId() + "-poll");
  }

  /** Starts consuming; returns at once. */
  public ConnectorService start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    pollThread.start();
    return this;
  }

  /**
   * Stops consuming and waits up to {@link ConnectorOptions#closeTimeout()} for calls in flight.
   */
  @Override
  public void close() {
    close(options.closeTimeout());
  }

  /**
   * Stops consuming, drops the commands not started yet (their offsets stay uncommitted, so they
   * are read again after a restart or by another replica), waits up to {@code timeout} for the
   * calls in flight and writes their results, commits, and closes the consumer. Calls still running
   * after that are interrupted and left unanswered (and uncommitted).
   */
  public void close(Duration timeout) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    closeDeadlineNanos = System.nanoTime() + timeout.toNanos();
    stopping.set(true);
    if (started.get()) {
      consumer.wakeup();
      try {
        // The poll thread waits for the calls until the deadline, then needs a moment to commit.
        pollThread.join(timeout.toMillis() + 10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (pollThread.isAlive()) {
        LOG.warn("connector poll thread still running after close timeout {}", timeout);
      }
    } else {
      consumer.close();
    }
    closed = true;
    workers.shutdownNow();
    watchdog.shutdownNow();
    if (ownsProducer) {
      producer.close(Duration.ofSeconds(10));
    }
  }

  /** Whether the service reads commands: started, not closing, not failed. */
  public boolean isRunning() {
    return started.get() && !stopping.get() && pollThread.isAlive();
  }

  /** The error that stopped the service, if one did. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  public ConnectorCounters counters() {
    int queued;
    int inFlight;
    synchronized (lock) {
      queued = queue.size();
      inFlight = running;
    }
    return new ConnectorCounters(
        received.get(),
        run.get(),
        inFlight,
        queued,
        succeeded.get(),
        failed.get(),
        timedOut.get(),
        duplicates.get(),
        deadLetters.get());
  }

  // ---- poll thread ----

  private void pollLoop() {
    try {
      consumer.subscribe(List.of(options.commandsTopic()), new Rebalance());
      while (!stopping.get()) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(options.pollTimeout());
        } catch (WakeupException e) {
          // close() or a fatal send error woke us: the loop condition decides.
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          handle(r);
        }
        applyBackpressure();
        commit(offsets.committable());
      }
      drain();
    } catch (RuntimeException e) {
      fail(e);
    } finally {
      finish();
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> r) {
    received.incrementAndGet();
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    Delivery delivery = new Delivery(tp, offsets.track(tp, r.offset()), r.offset());
    SpecificRecord decoded;
    try {
      decoded = codec.decode(r.value());
    } catch (AvroCodec.BadRecordException e) {
      deadLetter(r, delivery, e.getMessage());
      return;
    }
    if (!(decoded instanceof Command)) {
      deadLetter(r, delivery, "expected a Command, got a " + decoded.getSchema().getName());
      return;
    }
    accept((Command) decoded, delivery);
  }

  private void accept(Command command, Delivery delivery) {
    String id = command.getCommandId();
    CommandResult earlier;
    synchronized (lock) {
      earlier = answered.get(id);
      if (earlier == null) {
        Job same = active.get(id);
        if (same != null) {
          // Running or queued: this delivery gets the same answer when it comes.
          duplicates.incrementAndGet();
          same.deliveries.add(delivery);
          return;
        }
        Request request;
        try {
          request = Request.of(command);
        } catch (IllegalArgumentException | NullPointerException e) {
          // It has an id, so the job gets an answer rather than a dead letter.
          LOG.warn("invalid command {}: {}", id, e.getMessage());
          Job invalid = new Job(command, null, delivery);
          active.put(id, invalid);
          Outcome answer = Outcome.failed("invalid command: " + e.getMessage());
          workers.execute(() -> complete(invalid, answer));
          return;
        }
        Job job = new Job(command, request, delivery);
        active.put(id, job);
        queue.add(job);
        dispatchLocked();
        return;
      }
    }
    duplicates.incrementAndGet();
    LOG.info("command {} seen before, answered again with {}", id, earlier.getStatus());
    send(earlier, List.of(delivery));
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> r, Delivery delivery, String reason) {
    deadLetters.incrementAndGet();
    String where = r.topic() + "-" + r.partition() + "@" + r.offset();
    LOG.warn("undecodable command at {}: {}", where, reason);
    DeadLetter dl =
        DeadLetter.newBuilder()
            .setSource(r.topic())
            .setReason(reason + " (at " + where + ")")
            .setRaw(r.value() == null ? "" : Base64.getEncoder().encodeToString(r.value()))
            .setTs(now())
            .build();
    write(options.deadLetterTopic(), r.topic(), codec.encode(dl), delivery);
  }

  private void applyBackpressure() {
    int queued;
    synchronized (lock) {
      queued = queue.size();
    }
    if (queued > options.maxQueued()) {
      consumer.pause(consumer.assignment());
    } else if (queued <= options.maxQueued() / 2 && !consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
    }
  }

  private void commit(Map<TopicPartition, OffsetAndMetadata> toCommit) {
    if (toCommit.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(toCommit);
      offsets.committed(toCommit);
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // Not fatal: the partitions moved; whoever owns them now reads from the last commit.
      LOG.warn("offset commit failed during a rebalance: {}", e.getMessage());
    }
  }

  /** Drops queued commands and waits (until the close deadline) for the calls in flight. */
  private void drain() {
    synchronized (lock) {
      for (Job j : queue) {
        active.remove(j.command.getCommandId());
      }
      if (!queue.isEmpty()) {
        LOG.info("closing: {} commands not started are left to be read again", queue.size());
      }
      queue.clear();
      while (running > 0) {
        long left = closeDeadlineNanos - System.nanoTime();
        if (left <= 0) {
          LOG.warn("closing: {} calls still running are left unanswered", running);
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
  }

  private void finish() {
    try {
      // Flush so that the results written so far are acknowledged and their offsets committed.
      producer.flush();
      commit(offsets.committable());
    } catch (RuntimeException e) {
      fail(e);
    } finally {
      consumer.close();
    }
  }

  /** Commits what is answered before giving partitions up; forgets the rest. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Results handed to the producer but not acknowledged yet would not count: wait for them,
      // so that the new owner does not run those commands again.
      producer.flush();
      commit(offsets.committable(partitions));
      release(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      LOG.info("assigned {}", partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      release(partitions);
    }

    private void release(Collection<TopicPartition> partitions) {
      offsets.forget(partitions);
      synchronized (lock) {
        // A queued command read only from these partitions is read again by their new owner.
        Iterator<Job> it = queue.iterator();
        while (it.hasNext()) {
          Job j = it.next();
          j.deliveries.removeIf(d -> partitions.contains(d.tp));
          if (j.deliveries.isEmpty()) {
            it.remove();
            active.remove(j.command.getCommandId());
          }
        }
      }
    }
  }

  // ---- scheduling, workers, watchdog ----

  /** Starts queued jobs, oldest first, while their target and the service have room. */
  private void dispatchLocked() {
    if (stopping.get()) {
      return; // closing: what is not started yet is left to be read again
    }
    Iterator<Job> it = queue.iterator();
    while (it.hasNext() && running < options.maxInFlight()) {
      Job j = it.next();
      String key = j.request.limitKey();
      int n = runningPerTarget.getOrDefault(key, 0);
      if (n >= options.maxInFlightPerTarget()) {
        continue;
      }
      it.remove();
      runningPerTarget.put(key, n + 1);
      running++;
      j.holdsSlot = true;
      Duration left = timeLeft(j.command);
      if (left.isNegative() || left.isZero()) {
        workers.execute(() -> complete(j, Outcome.timedOut("expired before it ran")));
        continue;
      }
      j.future = workers.submit(() -> call(j, left));
      j.timer = watchdog.schedule(() -> onTimeout(j, left), left.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private Duration timeLeft(Command command) {
    if (!options.timeoutFromCommandTs()) {
      return options.commandTimeout();
    }
    long deadline = command.getTs().toEpochMilli() + options.commandTimeout().toMillis();
    return Duration.ofMillis(deadline - options.clock().millis());
  }

  private void call(Job j, Duration timeout) {
    run.incrementAndGet();
    Outcome outcome;
    try {
      outcome = connector.run(j.request, timeout);
      if (outcome == null) {
        outcome = Outcome.failed("connector gave no outcome");
      }
    } catch (InterruptedException e) {
      if (!j.done.get()) {
        // Interrupted by close, not by our timeout: leave it unanswered, to be read again.
        LOG.warn("call for command {} interrupted before it finished", j.command.getCommandId());
      }
      Thread.currentThread().interrupt();
      return;
    } catch (RuntimeException e) {
      LOG.warn("connector failed on command {}", j.command.getCommandId(), e);
      outcome = Outcome.failed("connector error: " + e);
    }
    complete(j, outcome);
  }

  private void onTimeout(Job j, Duration timeout) {
    if (complete(j, Outcome.timedOut("no answer within " + timeout))) {
      j.future.cancel(true);
    }
  }

  /** Answers a job once (the call or the watchdog, whichever is first) and starts the next. */
  private boolean complete(Job j, Outcome outcome) {
    if (!j.done.compareAndSet(false, true)) {
      return false;
    }
    if (closed) {
      LOG.warn(
          "command {} answered {} after close: not written", j.command.getCommandId(), outcome);
      return true;
    }
    CommandResult result =
        CommandResult.newBuilder()
            .setCommandId(j.command.getCommandId())
            .setStatus(CommandStatus.valueOf(outcome.status().name()))
            .setDetail(outcome.detail())
            .setCluster(j.command.getCluster())
            .setHost(j.command.getHost())
            .setTs(now())
            .build();
    List<Delivery> deliveries;
    synchronized (lock) {
      if (j.timer != null) {
        j.timer.cancel(false);
      }
      // From here on a redelivery is answered from the record, not attached to this job.
      active.remove(j.command.getCommandId());
      answered.put(j.command.getCommandId(), result);
      deliveries = new ArrayList<>(j.deliveries);
    }
    switch (outcome.status()) {
      case SUCCEEDED:
        succeeded.incrementAndGet();
        break;
      case FAILED:
        failed.incrementAndGet();
        break;
      default:
        timedOut.incrementAndGet();
    }
    LOG.info(
        "command {} {} {}: {} {}",
        j.command.getCommandId(),
        j.command.getAction(),
        j.request == null ? j.command.getHost() : j.request.limitKey(),
        outcome.status(),
        outcome.detail() == null ? "" : outcome.detail());
    send(result, deliveries);
    // The slot is given back only once the result is handed to the producer, so that close,
    // which waits for the slots, then flushes and commits, never misses a result.
    synchronized (lock) {
      if (j.holdsSlot) {
        String key = j.request.limitKey();
        runningPerTarget.merge(key, -1, Integer::sum);
        runningPerTarget.remove(key, 0);
        running--;
      }
      dispatchLocked();
      lock.notifyAll();
    }
    return true;
  }

  private void send(CommandResult result, List<Delivery> deliveries) {
    // Keyed by cluster so that one cluster's results stay in order; by host when the command
    // named no cluster.
    String key = result.getCluster() != null ? result.getCluster() : result.getHost();
    byte[] value = codec.encode(result);
    for (Delivery d : deliveries) {
      write(options.resultsTopic(), key, value, d);
    }
  }

  private void write(String topic, String key, byte[] value, Delivery d) {
    byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    try {
      producer.send(
          new ProducerRecord<>(topic, k, value),
          (md, e) -> {
            if (e == null) {
              offsets.done(d.tp, d.token, d.offset);
            } else {
              fail(e);
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      fail(e);
    }
  }

  /**
   * A write that failed after the producer's own retries cannot be answered later: stop, and leave
   * its offset uncommitted so that the command is read again after a restart.
   */
  private void fail(Throwable e) {
    if (failure.compareAndSet(null, e)) {
      LOG.error("connector service stops on error", e);
    } else {
      LOG.error("connector service error after stop", e);
    }
    if (stopping.compareAndSet(false, true)) {
      closeDeadlineNanos = System.nanoTime() + options.closeTimeout().toNanos();
      consumer.wakeup();
    }
  }

  private Instant now() {
    return Instant.ofEpochMilli(options.clock().millis());
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static Properties consumerConfig(String bootstrap, ConnectorOptions o) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, o.groupId());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, o.clientId() + "-consumer");
    // Commands go out in Kafka transactions: an aborted one must never run.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A new group reads from the start; commands older than the timeout are answered, not run.
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.putAll(o.consumerProperties());
    return p;
  }

  private static Properties producerConfig(String bootstrap, ConnectorOptions o) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, o.clientId() + "-producer");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.putAll(o.producerProperties());
    return p;
  }

  private record Delivery(TopicPartition tp, Object token, long offset) {}

  /** One command id: its deliveries wait for one answer. */
  private static final class Job {
    final Command command;
    final Request request;
    final List<Delivery> deliveries = new ArrayList<>();
    final AtomicBoolean done = new AtomicBoolean();
    boolean holdsSlot;
    Future<?> future;
    ScheduledFuture<?> timer;

    Job(Command command, Request request, Delivery first) {
      this.command = command;
      this.request = request;
      deliveries.add(first);
    }
  }
}
