package io.clusterpeering.service;

import io.clusterpeering.domain.PeeringKey;

/**
 * One step of a peering's heartbeat chain, as a queue message carries it: which peering (by key and ID), which
 * chain, and which step of it. A worker takes a step only once ({@link HeartbeatFanOut#work}), then sends the
 * next step, delayed by the heartbeat interval.
 *
 * @param partition the peering's partition
 * @param name      the peering's name
 * @param peeringId the peering's ID (a re-created peering of the same name starts its own chain)
 * @param chain     the chain's ID
 * @param step      the step, 0 for the first beat
 */
public record BeatTicket(String partition, String name, String peeringId, String chain, long step) {
    /** The peering's key. */
    public PeeringKey key() {
        return new PeeringKey(partition, name);
    }

    /** The chain's next step. */
    public BeatTicket next() {
        return new BeatTicket(partition, name, peeringId, chain, step + 1);
    }
}
