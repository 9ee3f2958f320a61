package io.clusterpeering.service;

import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.store.BeatChainStore;
import io.clusterpeering.store.PeeringStore;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Heartbeats in AWS, where the shortest schedule is a minute and no server of ours runs: each connected peering
 * has a chain of queue messages ({@link BeatTicket}), one step per heartbeat interval (15 s, as Consul). A worker
 * takes a step once (a conditional write on the peering's beat item), runs {@link HeartbeatService#beat} for that
 * peering, and enqueues the next step with the interval as its delay. The one-minute schedule ({@link #tick})
 * starts a chain for every connected peering that has none alive (never started, or silent for three intervals:
 * a message lost or dropped), and nudges stuck deletions itself. Workers run with a bounded concurrency (the
 * queue's event source), so 1,000 peerings with 50 dead ones take 50 slow workers, not one long round.
 */
@Singleton
public class HeartbeatFanOut {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatFanOut.class);
    /** A chain whose next beat is this many intervals overdue is taken for dead and replaced. */
    static final int DEAD_AFTER_INTERVALS = 3;

    private final PeeringStore store;
    private final BeatChainStore beatChains;
    private final HeartbeatService heartbeats;
    private final Optional<BeatQueue> queue;
    private final Duration interval;

    private final jakarta.inject.Provider<CaRotationService> rotationStep;

    public HeartbeatFanOut(PeeringStore store, BeatChainStore beatChains, HeartbeatService heartbeats,
                           Optional<BeatQueue> queue, PeeringConfiguration config,
                           jakarta.inject.Provider<CaRotationService> rotationStep) {
        this.rotationStep = rotationStep;
        this.store = store;
        this.beatChains = beatChains;
        this.heartbeats = heartbeats;
        this.queue = queue;
        this.interval = config.getHeartbeatInterval();
    }

    /** Whether a queue is configured (AWS); without one, the schedule runs rounds in process. */
    public boolean queued() {
        return queue.isPresent();
    }

    /**
     * The scheduled tick: takes a CA rotation's next step when due ({@link CaRotationService#advance}), then starts
     * a chain (enqueues its first step, due now) for every connected peering whose chain is missing or dead, and
     * nudges stuck deletions.
     *
     * @return how many chains it started
     * @throws IllegalStateException when no queue is configured
     */
    public int tick() {
        rotationStep.get().advance();
        BeatQueue beats = queue.orElseThrow(() -> new IllegalStateException("no heartbeat queue is configured"));
        Instant now = Instant.now();
        Instant deadBefore = now.minus(interval.multipliedBy(DEAD_AFTER_INTERVALS));
        List<BeatTicket> started = new ArrayList<>();
        for (String partition : store.partitions()) {
            for (Peering peering : store.list(partition)) {
                if (!peering.state().isConnected()) {
                    heartbeats.beat(peering);
                    continue;
                }
                String chain = UUID.randomUUID().toString();
                if (beatChains.startBeatChain(peering, chain, now, deadBefore)) {
                    started.add(new BeatTicket(peering.partition(), peering.name(), peering.id(), chain, 0));
                }
            }
        }
        if (!started.isEmpty()) {
            beats.send(started, Duration.ZERO);
            LOG.info("started {} heartbeat chains", started.size());
        }
        return started.size();
    }

    /**
     * Works one step of a chain: claims it, beats the peering, and enqueues the next step after one interval while
     * the peering is connected. A step already taken, or of a replaced chain, or of a peering that is gone, does
     * nothing and ends there.
     *
     * @return what the beat did, or empty when the step was not this call's to take
     * @throws IllegalStateException when no queue is configured
     */
    public Optional<HeartbeatService.BeatOutcome> work(BeatTicket ticket) {
        BeatQueue beats = queue.orElseThrow(() -> new IllegalStateException("no heartbeat queue is configured"));
        Instant now = Instant.now();
        if (!beatChains.claimBeat(ticket.key(), ticket.peeringId(), ticket.chain(), ticket.step(), now.plus(interval))) {
            return Optional.empty();
        }
        Optional<Peering> peering = store.find(ticket.key()).filter(p -> p.id().equals(ticket.peeringId()));
        if (peering.isEmpty() || !peering.get().state().isConnected()) {
            return Optional.of(HeartbeatService.BeatOutcome.NOTHING);
        }
        HeartbeatService.BeatOutcome outcome;
        try {
            outcome = heartbeats.beat(peering.get());
        } catch (RuntimeException e) {
            LOG.error("beat of peering {} failed; the chain goes on", ticket.name(), e);
            outcome = HeartbeatService.BeatOutcome.FAILED;
        }
        beats.send(List.of(ticket.next()), interval);
        return Optional.of(outcome);
    }
}
