package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.clusterpeering.queue.BeatTickets;
import io.clusterpeering.service.HeartbeatFanOut;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.aws.MicronautRequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The heartbeat queue's worker (an SQS event source with a maximum concurrency): for each message, one step of
 * a peering's heartbeat chain ({@link HeartbeatFanOut#work}): the heartbeat, the resync, and the next step
 * enqueued one interval later. A malformed message, or one whose work failed, is reported as a batch item
 * failure: SQS delivers it again, and after its last attempt moves it to the dead-letter queue.
 */
public class HeartbeatWorkerFunction extends MicronautRequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatWorkerFunction.class);

    public HeartbeatWorkerFunction() {
        super();
    }

    public HeartbeatWorkerFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    public SQSBatchResponse execute(SQSEvent event) {
        HeartbeatFanOut fanOut = getApplicationContext().getBean(HeartbeatFanOut.class);
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            try {
                fanOut.work(BeatTickets.read(message.getBody()));
            } catch (RuntimeException e) {
                LOG.error("heartbeat message {} failed; SQS will deliver it again", message.getMessageId(), e);
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }
}
