package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.Peering;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.s;
import static io.clusterpeering.store.PeeringItems.CREATE_INDEX;
import static io.clusterpeering.store.PeeringItems.MODIFY_INDEX;
import static io.clusterpeering.store.PeeringItems.TOKEN_SECRET_HASH;
import static io.clusterpeering.store.PeeringItems.toItem;

/**
 * The peerings' bulk load, for tests and the benchmark that need thousands of live peerings: writes established
 * dialer rows item for item as {@link PeeringStore#saveEstablishedDialer} writes each (the row with its token's
 * secret hash, its ID pointer), all under one Consul index, with BatchWriteItem ({@value #WRITERS} calls in
 * flight). Not a replacement for {@code saveEstablishedDialer}: no conditions, so only for names nothing is stored
 * under yet, in a partition nothing else writes meanwhile.
 */
@Singleton
public class PeeringBulkLoad {
    /** BatchWriteItem calls in flight at once. */
    private static final int WRITERS = 8;

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final ConsulIndex index;
    private final PeeringStore store;

    public PeeringBulkLoad(DynamoDbClient dynamoDb, DynamoDbConfiguration config, ConsulIndex index, PeeringStore store) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
        this.index = index;
        this.store = store;
    }

    /**
     * Writes the rows.
     *
     * @param partition       the partition every row is in
     * @param peerings        the rows; their indexes are replaced by the load's
     * @param tokenSecretHash the secret hash every row records as its token's
     * @return the index the rows carry
     * @throws IllegalArgumentException when a row is in another partition
     * @throws InterruptedException     when interrupted while writing
     */
    public long loadDialers(String partition, List<Peering> peerings, String tokenSecretHash) throws InterruptedException {
        store.registerPartition(partition);
        long loadIndex = index.next(IndexScope.peerings(partition));
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (Peering peering : peerings) {
            if (!peering.partition().equals(partition)) {
                throw new IllegalArgumentException("peering " + peering.name() + " is not in partition " + partition);
            }
            Map<String, AttributeValue> item = toItem(peering);
            item.put(TOKEN_SECRET_HASH, s(tokenSecretHash));
            item.put(CREATE_INDEX, n(loadIndex));
            item.put(MODIFY_INDEX, n(loadIndex));
            items.add(item);
            items.add(PeeringStore.pointer(peering));
        }
        Batches.putAll(dynamoDb, table, items, WRITERS);
        index.nextAfterWrite(IndexScope.peerings(partition));
        return loadIndex;
    }
}
