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
 * The table's DynamoDB Stream handler that deletes: for each record whose new image is a peering row in state
 * DELETING or TERMINATED, finishes the deletion through {@link DeletionService} (tell the peer, purge what was
 * imported from it, remove the row); for each new import manifest, deletes the imported instances it no longer
 * lists. The only function that deletes imported data. Records arrive at least once and both are idempotent. Reports partial batch
 * failures: the first failed record and everything after it are retried (Lambda's
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
        ImportedDataStore imported = getApplicationContext().getBean(ImportedDataStore.class);
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        for (DynamodbEvent.DynamodbStreamRecord record : event.getRecords()) {
            try {
                PeeringKey finishing = finishingPeering(record);
                if (finishing != null) {
                    DeletionService.Outcome outcome = deletion.finish(finishing);
                    LOG.debug("stream record {} for peering {}: {}", record.getEventID(), finishing.name(), outcome);
                }
                PeeringKey manifestOwner = changedManifest(record);
                if (manifestOwner != null) {
                    imported.purgeUnlisted(manifestOwner);
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

    /** The peering whose import manifest a record wrote, or null: its unlisted imported instances are deleted. */
    static PeeringKey changedManifest(DynamodbEvent.DynamodbStreamRecord record) {
        if (record.getDynamodb() == null || record.getDynamodb().getKeys() == null
                || record.getDynamodb().getNewImage() == null) {
            return null;
        }
        Map<String, AttributeValue> keys = record.getDynamodb().getKeys();
        return ImportedDataStore.manifestOwner(text(keys.get(TableKeys.PK)), text(keys.get(TableKeys.SK)));
    }

    static String text(AttributeValue value) {
        return value == null ? null : value.getS();
    }
}
