package io.clusterpeering.queue;

import io.clusterpeering.service.BeatQueue;
import io.clusterpeering.service.BeatTicket;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The heartbeat queue in AWS: SQS, ten messages per SendMessageBatch call, each delayed by the given delay
 * ({@code DelaySeconds}, at most 900). Message bodies are {@link BeatTickets} JSON.
 */
public class SqsBeatQueue implements BeatQueue {
    /** SQS's limit of entries in one SendMessageBatch call. */
    static final int BATCH_LIMIT = 10;
    /** SQS's longest message delay. */
    static final Duration MAX_DELAY = Duration.ofMinutes(15);

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsBeatQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void send(List<BeatTicket> tickets, Duration delay) {
        int delaySeconds = (int) Math.min(MAX_DELAY.toSeconds(), Math.max(0, delay.toSeconds()));
        for (int from = 0; from < tickets.size(); from += BATCH_LIMIT) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            List<BeatTicket> batch = tickets.subList(from, Math.min(tickets.size(), from + BATCH_LIMIT));
            for (int i = 0; i < batch.size(); i++) {
                entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
                        .messageBody(BeatTickets.write(batch.get(i))).delaySeconds(delaySeconds).build());
            }
            SendMessageBatchResponse response = sqs.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
            if (response.hasFailed() && !response.failed().isEmpty()) {
                throw new IllegalStateException("SQS refused " + response.failed().size() + " heartbeat messages: "
                        + response.failed().get(0).message());
            }
        }
    }
}
