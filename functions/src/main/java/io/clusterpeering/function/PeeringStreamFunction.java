package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.Deadline;
import io.clusterpeering.service.DeletionService;
import io.clusterpeering.store.TableChanges;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.aws.MicronautRequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The table's DynamoDB Stream handler that deletes, the only function that deletes imported data:
 * <ul>
 *   <li>for a peering row in state DELETING or TERMINATED, finishes the deletion through {@link DeletionService}
 *       (tell the peer, purge what was imported from it with progress on the row, remove the row);</li>
 *   <li>for an imported service head the peer no longer exports, deletes that service's instances
 *       ({@link DeletionService#purgeUnexported}).</li>
 * </ul>
 * Each step works while the invocation has time left (Lambda's remaining time less
 * {@code peering.stream-safety-margin}, {@link DeletionService#deadline}); the progress it writes (on the row, on the head) is itself a record of
 * the same item, which brings the handler back to finish, so a long purge continues over several invocations and
 * one interrupted by a crash resumes. Records arrive at least once and every step is idempotent. Reports partial
 * batch failures: the first failed record and everything after it are retried (Lambda's
 * {@code ReportBatchItemFailures}).
 */
public class PeeringStreamFunction extends MicronautRequestHandler<DynamodbEvent, StreamsEventResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(PeeringStreamFunction.class);

    public PeeringStreamFunction() {
        super();
    }

    public PeeringStreamFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    public StreamsEventResponse execute(DynamodbEvent event) {
        DeletionService deletion = getApplicationContext().getBean(DeletionService.class);
        Deadline deadline = deletion.deadline(invocationLeft());
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        for (DynamodbEvent.DynamodbStreamRecord record : event.getRecords()) {
            try {
                switch (StreamRecordImages.decode(record)) {
                    case TableChanges.PeeringChanged peering when peering.finishing() -> {
                        DeletionService.Outcome outcome = deletion.finish(peering.key(), deadline);
                        LOG.debug("stream record {} for peering {}: {}", record.getEventID(), peering.key().name(), outcome);
                    }
                    case TableChanges.ImportedServiceUnexported unexported ->
                            deletion.purgeUnexported(unexported.head().peer(), unexported.head().service(), deadline);
                    default -> { }
                }
            } catch (RuntimeException e) {
                LOG.error("stream record {} failed; it will be retried", record.getEventID(), e);
                failures.add(new StreamsEventResponse.BatchItemFailure(record.getDynamodb().getSequenceNumber()));
                break;
            }
        }
        return new StreamsEventResponse(failures);
    }

    /**
     * What is left of this invocation: Lambda's remaining time, from the Context Micronaut hands over on each
     * invocation to this context's {@link LambdaContextSingletons}, or {@code peering.stream-invocation-time} where the
     * handler is called without one (the local stream poller).
     */
    private Duration invocationLeft() {
        return getApplicationContext().findBean(LambdaContextSingletons.class).flatMap(LambdaContextSingletons::current)
                .map(lambda -> Duration.ofMillis(lambda.getRemainingTimeInMillis()))
                .orElseGet(() -> getApplicationContext().getBean(PeeringConfiguration.class).getStreamInvocationTime());
    }
}
