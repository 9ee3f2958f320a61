package io.clusterpeering.local;

import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.function.ExportStreamFunction;
import io.clusterpeering.function.PeeringStreamFunction;
import io.clusterpeering.service.DeletionService;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Does locally what Lambda's event source mapping does in AWS: reads the table's stream from DynamoDB Local
 * and hands each batch, as a {@code DynamodbEvent}, to {@link ExportStreamFunction} and
 * {@link PeeringStreamFunction} (in AWS, two event source mappings with their own filters). Starts every shard at
 * TRIM_HORIZON, so after a restart it replays what is still in the stream (the handler is idempotent), and
 * first finishes any deletion left over from before the start, since DynamoDB Local sometimes refuses a
 * TRIM_HORIZON read (then the shard is read from its newest record). A record the handler reports as failed
 * is read again on the next poll. Like Lambda, it reads a shard page after page (1,000 records a page) while
 * records keep coming, rather than one page a tick.
 */
@Singleton
@Requires(env = "local")
public class LocalStreamPoller {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStreamPoller.class);

    private final DynamoDbStreamsClient streams;
    private final DynamoDbClient dynamoDb;
    private final String table;
    private final PeeringStreamFunction function;
    private final ExportStreamFunction exports;
    private final DeletionService deletions;
    private final Map<String, String> iterators = new HashMap<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final Set<String> finishedShards = new HashSet<>();
    private static final int MAX_FAILURES_IN_A_ROW = 3;
    private final StoppableRuns runs = new StoppableRuns();
    /** Records per GetRecords call (the API's maximum is 1,000), and pages read from one shard in one poll at most. */
    private static final int RECORDS_PER_PAGE = 1000;
    private static final int MAX_PAGES_PER_POLL = 50;
    private volatile boolean caughtUp;
    private String streamArn;

    public LocalStreamPoller(DynamoDbStreamsClient streams, DynamoDbClient dynamoDb, DynamoDbConfiguration config,
                             ApplicationContext context) {
        this.streams = streams;
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
        this.function = new PeeringStreamFunction(context);
        this.exports = new ExportStreamFunction(context);
        this.deletions = context.getBean(DeletionService.class);
    }

    /** One poll of every open shard; runs every 200 ms until {@link #stop} is called. */
    @Scheduled(fixedDelay = "${peering.local.stream-poll-interval:200ms}", initialDelay = "1s")
    public void poll() {
        runs.run(this::pollOnce);
    }

    /**
     * One poll of every open shard now, after the poll in progress (if any) has ended, so that every record written
     * before this call has been handed to the handlers when it returns: for a reader that must see a stream
     * handler's work done (the README's walkthrough between its steps).
     *
     * @return false when the poller is stopped
     * @throws InterruptedException when interrupted while the poll in progress runs
     */
    public boolean pollAfterCurrent() throws InterruptedException {
        return runs.runAfterCurrent(this::pollOnce);
    }

    /**
     * Stops polling: no poll starts after this call, and the one in progress may finish (its batch is handed
     * to the handlers whole) within the grace period before it is interrupted.
     *
     * @return true when no poll is in progress any more
     */
    public boolean stop(java.time.Duration grace) {
        return runs.stop(grace);
    }

    private synchronized void pollOnce() {
        caughtUp = false;
        try {
            if (streamArn == null) {
                streamArn = dynamoDb.describeTable(r -> r.tableName(table)).table().latestStreamArn();
                int healed = deletions.finishAllPending();
                if (healed > 0) {
                    LOG.info("finished {} deletions left over from before this start", healed);
                }
            }
            for (Shard shard : streams.describeStream(r -> r.streamArn(streamArn)).streamDescription().shards()) {
                if (!finishedShards.contains(shard.shardId()) && !iterators.containsKey(shard.shardId())) {
                    iterators.put(shard.shardId(), iterator(shard.shardId(), ShardIteratorType.TRIM_HORIZON, null));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("reading the stream's shards failed: {}", e.getMessage(), e);
            return;
        }
        boolean allRead = true;
        for (String shardId : Set.copyOf(iterators.keySet())) {
            try {
                // Like Lambda's event source mapping, keep reading while a shard has records, not one page a tick.
                int pages = 0;
                while (pollShard(shardId) && ++pages < MAX_PAGES_PER_POLL) {
                    // read on
                }
                allRead &= pages < MAX_PAGES_PER_POLL;
                failures.remove(shardId);
            } catch (RuntimeException e) {
                int failed = failures.merge(shardId, 1, Integer::sum);
                LOG.warn("polling stream shard {} failed ({} in a row): {}", shardId, failed, e.getMessage());
                if (failed >= MAX_FAILURES_IN_A_ROW) {
                    // DynamoDB Local (file mode) sometimes fails every read of one iterator with an internal
                    // SQLite error: read on from the newest record, and sweep what may have been skipped.
                    iterators.put(shardId, iterator(shardId, ShardIteratorType.LATEST, null));
                    failures.remove(shardId);
                    deletions.finishAllPending();
                }
                allRead = false;
            }
        }
        caughtUp = allRead;
    }

    /** Whether the last poll read every shard to its end (nothing was waiting): for benchmarks that need a quiet stream. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** @return whether the page held records (more may follow at once) */
    private boolean pollShard(String shardId) {
        GetRecordsResponse page;
        try {
            page = streams.getRecords(r -> r.shardIterator(iterators.get(shardId)).limit(RECORDS_PER_PAGE));
        } catch (ExpiredIteratorException e) {
            iterators.put(shardId, iterator(shardId, ShardIteratorType.TRIM_HORIZON, null));
            return false;
        } catch (TrimmedDataAccessException e) {
            // DynamoDB Local answers this for a TRIM_HORIZON iterator of a table that shares its database file
            // with other tables' streams; start again from the newest record instead.
            LOG.debug("stream shard {} was trimmed; reading from its newest record", shardId);
            iterators.put(shardId, iterator(shardId, ShardIteratorType.LATEST, null));
            return false;
        }
        String next = page.nextShardIterator();
        if (!page.records().isEmpty()) {
            var event = StreamRecords.toEvent(page.records(), streamArn);
            exports.execute(event);
            StreamsEventResponse response = function.execute(event);
            if (response.getBatchItemFailures() != null && !response.getBatchItemFailures().isEmpty()) {
                String failed = response.getBatchItemFailures().get(0).getItemIdentifier();
                iterators.put(shardId, iterator(shardId, ShardIteratorType.AT_SEQUENCE_NUMBER, failed));
                return false;
            }
        }
        if (next == null) {
            iterators.remove(shardId);
            finishedShards.add(shardId);
            return false;
        }
        iterators.put(shardId, next);
        return !page.records().isEmpty();
    }

    private String iterator(String shardId, ShardIteratorType type, String sequenceNumber) {
        return streams.getShardIterator(r -> r.streamArn(streamArn).shardId(shardId).shardIteratorType(type)
                .sequenceNumber(sequenceNumber)).shardIterator();
    }
}
