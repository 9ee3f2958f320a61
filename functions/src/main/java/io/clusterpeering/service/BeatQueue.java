package io.clusterpeering.service;

import java.time.Duration;
import java.util.List;

/**
 * Where heartbeat chains wait between beats: in AWS an SQS queue whose messages are delivered after a delay
 * (SQS's {@code DelaySeconds}, up to 15 minutes). The local runtime has none: its schedule runs rounds in process.
 */
public interface BeatQueue {
    /**
     * Enqueues tickets, each delivered once the delay has passed.
     *
     * @throws RuntimeException when the queue refused some of them
     */
    void send(List<BeatTicket> tickets, Duration delay);
}
