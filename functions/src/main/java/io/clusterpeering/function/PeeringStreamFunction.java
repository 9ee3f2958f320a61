package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.service.DeletionService;
import io.clusterpeering.store.ImportedDataStore;
import io.clusterpeering.store.TableKeys;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.aws.MicronautRequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The table's DynamoDB Stream handler that deletes, the only function that deletes imported data:
 * <ul>
 *   <li>for a peering row in state DELETING or TERMINATED, finishes the deletion through {@link DeletionService}
 *       (tell the peer, purge what was imported from it with progress on the row, remove the row);</li>
 *   <li>for an imported service head the peer no longer exports, deletes that service's instances
 *       ({@link DeletionService#purgeUnexported}).</li>
 * </ul>
 * Each step works for a bounded time; the progress it writes (on the row, on the head) is itself a record of
 * the same item, which brings the handler back to finish, so a long purge continues over several invocations and
 * one interrupted by a crash resumes. Records arrive at least once and every step is idempotent. Reports partial
 * batch failures: the first failed record and everything after it are retried (Lambda's
 * {@code ReportBatchItemFailures}).
 */
public class PeeringStreamFunction extends MicronautRequestHandler<DynamodbEvent, StreamsEventResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(PeeringStreamFunction.class);
    private static final Set<String> FINISHING_STATES = Set.of("DELETING", "TERMINATED");

    public PeeringStreamFunction() {
        super();
    }

    public PeeringStreamFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    public StreamsEventResponse execute(DynamodbEvent event) {
        DeletionService deletion = getApplicationContext().getBean(DeletionService.class);
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        for (DynamodbEvent.DynamodbStreamRecord record : event.getRecords()) {
            try {
                PeeringKey finishing = finishingPeering(record);
                if (finishing != null) {
                    DeletionService.Outcome outcome = deletion.finish(finishing);
                    LOG.debug("stream record {} for peering {}: {}", record.getEventID(), finishing.name(), outcome);
                }
                ImportedDataStore.ImportedHead unexported = unexportedService(record);
                if (unexported != null) {
                    deletion.purgeUnexported(unexported.peer(), unexported.service());
                }
            } catch (RuntimeException e) {
                LOG.error("stream record {} failed; it will be retried", record.getEventID(), e);
                failures.add(new StreamsEventResponse.BatchItemFailure(record.getDynamodb().getSequenceNumber()));
                break;
            }
        }
        return new StreamsEventResponse(failures);
    }

    /** The peering a record asks to finish, or null when the record is not a DELETING or TERMINATED peering row. */
    static PeeringKey finishingPeering(DynamodbEvent.DynamodbStreamRecord record) {
        if (record.getDynamodb() == null || record.getDynamodb().getKeys() == null
                || record.getDynamodb().getNewImage() == null) {
            return null;
        }
        Map<String, AttributeValue> keys = record.getDynamodb().getKeys();
        PeeringKey key = TableKeys.peeringKeyOf(text(keys.get(TableKeys.PK)), text(keys.get(TableKeys.SK)));
        String state = text(record.getDynamodb().getNewImage().get("state"));
        return key != null && FINISHING_STATES.contains(state) ? key : null;
    }

    /** The imported service a record says the peer stopped exporting, with instances left; else null. */
    static ImportedDataStore.ImportedHead unexportedService(DynamodbEvent.DynamodbStreamRecord record) {
        if (record.getDynamodb() == null || record.getDynamodb().getKeys() == null
                || record.getDynamodb().getNewImage() == null) {
            return null;
        }
        Map<String, AttributeValue> keys = record.getDynamodb().getKeys();
        AttributeValue exported = record.getDynamodb().getNewImage().get("exported");
        if (exported == null || !Boolean.FALSE.equals(exported.getBOOL())) {
            return null;
        }
        return ImportedDataStore.importedHeadOf(text(keys.get(TableKeys.PK)), text(keys.get(TableKeys.SK)));
    }

    static String text(AttributeValue value) {
        return value == null ? null : value.getS();
    }
}
