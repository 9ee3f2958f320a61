package io.clusterpeering.local;

import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.function.PeeringStreamFunction;
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
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Does locally what Lambda's event source mapping does in AWS: reads the table's stream from DynamoDB Local
 * and hands each batch, as a {@code DynamodbEvent}, to {@link PeeringStreamFunction}. Starts every shard at
 * TRIM_HORIZON, so after a restart it replays what is still in the stream (the handler is idempotent); a
 * record the handler reports as failed is read again on the next poll.
 */
@Singleton
@Requires(env = "local")
public class LocalStreamPoller {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStreamPoller.class);

    private final DynamoDbStreamsClient streams;
    private final DynamoDbClient dynamoDb;
    private final String table;
    private final PeeringStreamFunction function;
    private final Map<String, String> iterators = new HashMap<>();
    private final Set<String> finishedShards = new HashSet<>();
    private String streamArn;

    public LocalStreamPoller(DynamoDbStreamsClient streams, DynamoDbClient dynamoDb, DynamoDbConfiguration config,
                             ApplicationContext context) {
        this.streams = streams;
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
        this.function = new PeeringStreamFunction(context);
    }

    /** One poll of every open shard; runs every 200 ms. */
    @Scheduled(fixedDelay = "${peering.local.stream-poll-interval:200ms}", initialDelay = "1s")
    public synchronized void poll() {
        try {
            if (streamArn == null) {
                streamArn = dynamoDb.describeTable(r -> r.tableName(table)).table().latestStreamArn();
            }
            for (Shard shard : streams.describeStream(r -> r.streamArn(streamArn)).streamDescription().shards()) {
                if (!finishedShards.contains(shard.shardId()) && !iterators.containsKey(shard.shardId())) {
                    iterators.put(shard.shardId(), iterator(shard.shardId(), ShardIteratorType.TRIM_HORIZON, null));
                }
            }
            for (String shardId : Set.copyOf(iterators.keySet())) {
                pollShard(shardId);
            }
        } catch (RuntimeException e) {
            LOG.warn("stream poll failed: {}", e.getMessage());
        }
    }

    private void pollShard(String shardId) {
        GetRecordsResponse page;
        try {
            page = streams.getRecords(r -> r.shardIterator(iterators.get(shardId)).limit(100));
        } catch (ExpiredIteratorException e) {
            iterators.put(shardId, iterator(shardId, ShardIteratorType.TRIM_HORIZON, null));
            return;
        }
        String next = page.nextShardIterator();
        if (!page.records().isEmpty()) {
            StreamsEventResponse response = function.execute(StreamRecords.toEvent(page.records(), streamArn));
            if (response.getBatchItemFailures() != null && !response.getBatchItemFailures().isEmpty()) {
                String failed = response.getBatchItemFailures().get(0).getItemIdentifier();
                next = iterator(shardId, ShardIteratorType.AT_SEQUENCE_NUMBER, failed);
            }
        }
        if (next == null) {
            iterators.remove(shardId);
            finishedShards.add(shardId);
        } else {
            iterators.put(shardId, next);
        }
    }

    private String iterator(String shardId, ShardIteratorType type, String sequenceNumber) {
        return streams.getShardIterator(r -> r.streamArn(streamArn).shardId(shardId).shardIteratorType(type)
                .sequenceNumber(sequenceNumber)).shardIterator();
    }
}
