package io.clusterpeering.e2e;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.function.HeartbeatWorkerFunction;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.queue.BeatTickets;
import io.clusterpeering.service.BeatQueue;
import io.clusterpeering.service.BeatTicket;
import io.clusterpeering.service.HeartbeatFanOut;
import io.clusterpeering.service.HeartbeatService;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.support.Clusters;
import io.clusterpeering.support.TwoClusters;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static io.clusterpeering.support.PeeringFlow.client;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The heartbeat fan-out that runs in AWS (an EventBridge tick, an SQS queue, bounded workers), driven here
 * against two local clusters with an in-memory queue in place of SQS (the one part with no local engine): the
 * tick starts one chain per connected peering and no second one while it lives; a step beats its peering and
 * enqueues the next one interval later; a step delivered twice, or of a chain that was replaced, does nothing; a
 * chain silent for three intervals is replaced; the worker function reports a malformed message as a batch item
 * failure (SQS retries it, then moves it to the dead-letter queue).
 */
@TwoClusters(settings = {"peering.heartbeat-interval=10m", "peering.heartbeat-timeout=30m"})
class HeartbeatFanOutTest {
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private final LocalCluster dc1;
    private final LocalCluster dc2;

    HeartbeatFanOutTest(Clusters clusters) {
        dc1 = clusters.dc1();
        dc2 = clusters.dc2();
    }

    /** A peering of dc1 with dc2 in a partition of its own, named {@code a}; @return the partition */
    private String peerInNewPartition() {
        String partition = "p" + java.util.UUID.randomUUID().toString().substring(0, 6);
        var token = client(dc1).post("/v1/peering/token?partition=" + partition, "{\"PeerName\":\"a\"}");
        String peeringToken = io.clusterpeering.support.PeeringFlow.json(token.body()).get("PeeringToken").asText();
        var established = client(dc2).post("/v1/peering/establish?partition=" + partition,
                "{\"PeerName\":\"to-a\",\"PeeringToken\":\"" + peeringToken + "\"}");
        assertEquals(200, established.statusCode(), established.body());
        return partition;
    }

    private static BeatTicket ticketOf(RecordingQueue queue, String partition) {
        return queue.sent.stream().filter(t -> t.partition().equals(partition)).findFirst().orElseThrow();
    }

    /** Stands for SQS: records what was sent, with the delay. */
    static final class RecordingQueue implements BeatQueue {
        final List<BeatTicket> sent = Collections.synchronizedList(new ArrayList<>());
        final List<Duration> delays = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void send(List<BeatTicket> tickets, Duration delay) {
            for (BeatTicket ticket : tickets) {
                sent.add(ticket);
                delays.add(delay);
            }
        }
    }

    /** A fan-out over dc1's store and heartbeats with a one-second interval. */
    private HeartbeatFanOut fanOut(RecordingQueue queue) {
        PeeringConfiguration real = dc1.context().getBean(PeeringConfiguration.class);
        PeeringConfiguration fast = (PeeringConfiguration) Proxy.newProxyInstance(PeeringConfiguration.class.getClassLoader(),
                new Class<?>[] {PeeringConfiguration.class}, (proxy, method, args) ->
                        method.getName().equals("getHeartbeatInterval") ? INTERVAL : method.invoke(real, args));
        return new HeartbeatFanOut(dc1.context().getBean(PeeringStore.class), dc1.context().getBean(io.clusterpeering.store.BeatChainStore.class),
                dc1.context().getBean(HeartbeatService.class),
                Optional.of(queue), fast, () -> dc1.context().getBean(io.clusterpeering.service.CaRotationService.class));
    }

    @Test
    void theTickStartsOneChainPerConnectedPeeringAndAStepBeatsItAndEnqueuesTheNext() {
        String partition = peerInNewPartition();
        RecordingQueue queue = new RecordingQueue();
        HeartbeatFanOut fanOut = fanOut(queue);

        int started = fanOut.tick();

        assertTrue(started >= 1, "one chain per connected peering: " + started);
        assertEquals(0, fanOut.tick(), "no second chain while the first lives");
        BeatTicket first = ticketOf(queue, partition);
        assertEquals(0, first.step());
        assertEquals(Duration.ZERO, queue.delays.get(queue.sent.indexOf(first)), "the first step is due at once");
        Instant before = Instant.now();

        Optional<HeartbeatService.BeatOutcome> outcome = fanOut.work(first);

        assertEquals(Optional.of(HeartbeatService.BeatOutcome.DELIVERED), outcome);
        BeatTicket next = queue.sent.get(queue.sent.size() - 1);
        assertEquals(first.next(), next, "the next step of the same chain");
        assertEquals(INTERVAL, queue.delays.get(queue.delays.size() - 1), "delayed by one interval");
        Peering beaten = dc1.context().getBean(PeeringStore.class).find(new PeeringKey(partition, "a")).orElseThrow();
        assertTrue(!beaten.liveness().lastSend().isBefore(before), "the heartbeat was sent and recorded");

        int sent = queue.sent.size();
        assertEquals(Optional.empty(), fanOut.work(first), "a step delivered twice does nothing the second time");
        assertEquals(sent, queue.sent.size(), "and enqueues nothing");
    }

    @Test
    void aChainSilentForThreeIntervalsIsReplacedAndItsLateStepDoesNothing() throws Exception {
        String partition = peerInNewPartition();
        RecordingQueue queue = new RecordingQueue();
        HeartbeatFanOut fanOut = fanOut(queue);
        fanOut.tick();
        BeatTicket old = ticketOf(queue, partition);
        assertEquals(Optional.of(HeartbeatService.BeatOutcome.DELIVERED), fanOut.work(old));
        BeatTicket lost = queue.sent.get(queue.sent.size() - 1);

        // The next step is lost: nothing claims the chain for three intervals.
        Thread.sleep(INTERVAL.multipliedBy(4).toMillis());
        queue.sent.clear();
        fanOut.tick();

        BeatTicket replacement = ticketOf(queue, partition);
        assertTrue(!replacement.chain().equals(old.chain()), "a new chain");
        assertEquals(Optional.empty(), fanOut.work(lost), "the replaced chain's step, arriving late, does nothing");
        assertEquals(Optional.of(HeartbeatService.BeatOutcome.DELIVERED), fanOut.work(replacement));
    }

    @Test
    void theWorkerFunctionTakesStepsAndReportsAMalformedMessageAsABatchItemFailure() {
        String partition = peerInNewPartition();
        RecordingQueue queue = new RecordingQueue();
        dc1.context().registerSingleton(BeatQueue.class, queue);
        HeartbeatFanOut fanOut = dc1.context().getBean(HeartbeatFanOut.class);
        assertTrue(fanOut.queued());
        fanOut.tick();
        BeatTicket ticket = ticketOf(queue, partition);
        SQSEvent.SQSMessage good = new SQSEvent.SQSMessage();
        good.setMessageId("good");
        good.setBody(BeatTickets.write(ticket));
        SQSEvent.SQSMessage bad = new SQSEvent.SQSMessage();
        bad.setMessageId("bad");
        bad.setBody("{\"not\":\"a ticket\"}");
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(good, bad));

        SQSBatchResponse response = new HeartbeatWorkerFunction(dc1.context()).execute(event);

        assertEquals(List.of("bad"), response.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList());
        assertEquals(ticket.next(), queue.sent.get(queue.sent.size() - 1), "the good one's step was taken");
        assertEquals(Duration.ofMinutes(10), queue.delays.get(queue.delays.size() - 1), "one configured interval later");
    }
}
