package io.clusterpeering.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.config.DynamoDbConfiguration;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.s;

/**
 * Consul config entries of a partition ({@code CONFIG#<partition>}, sort key {@code <kind>#<name>}), each kept
 * as the JSON the user wrote, with Consul's {@code CreateIndex} and {@code ModifyIndex}. Every write advances
 * the Consul index after it lands.
 */
@Singleton
public class ConfigEntryStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> ENTRY = new TypeReference<>() { };

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final ConsulIndex index;
    private final CatalogStore catalog;

    public ConfigEntryStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config, ConsulIndex index,
                            CatalogStore catalog) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
        this.index = index;
        this.catalog = catalog;
    }

    /** The sort-key prefix of a partition's exported-services entry. */
    static final String EXPORTED_SERVICES_PREFIX = "exported-services#";

    static String partitionKey(String partition) {
        return TableKeys.CONFIG_PREFIX + partition;
    }

    /** Creates or replaces an entry. */
    public void put(String partition, String kind, String name, Map<String, Object> entry) {
        write(partition, kind, name, entry, null, Map.of());
    }

    /**
     * Writes an entry only if its ModifyIndex is {@code cas}, or, for {@code cas} 0, only if there is none: the
     * check-and-set of Consul's {@code PUT /v1/config?cas=} ({@code consul config write -cas -modify-index}).
     *
     * @return whether it was written
     */
    public boolean putIfModifyIndex(String partition, String kind, String name, Map<String, Object> entry, long cas) {
        try {
            if (cas == 0) {
                write(partition, kind, name, entry, "attribute_not_exists(#entry)", Map.of());
            } else {
                write(partition, kind, name, entry, "modifyIndex = :cas", Map.of(":cas", n(cas)));
            }
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private void write(String partition, String kind, String name, Map<String, Object> entry, String condition,
                       Map<String, AttributeValue> conditionValues) {
        long modifyIndex = index.next();
        String json;
        try {
            json = JSON.writeValueAsString(entry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, AttributeValue> values = new LinkedHashMap<>(conditionValues);
        values.put(":entry", s(json));
        values.put(":index", n(modifyIndex));
        dynamoDb.updateItem(r -> r.tableName(table).key(TableKeys.key(partitionKey(partition), kind + "#" + name))
                .updateExpression("SET #entry = :entry, createIndex = if_not_exists(createIndex, :index), modifyIndex = :index")
                .conditionExpression(condition)
                .expressionAttributeNames(Map.of("#entry", "entry"))
                .expressionAttributeValues(values));
        index.nextAfterWrite();
    }

    /** One entry with its indexes, if present. */
    public Optional<Map<String, Object>> get(String partition, String kind, String name) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table)
                .key(TableKeys.key(partitionKey(partition), kind + "#" + name)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(entry(item));
    }

    /** Every entry of a kind, ordered by name. */
    public List<Map<String, Object>> list(String partition, String kind) {
        return catalog.query(partitionKey(partition), kind + "#").stream().map(ConfigEntryStore::entry).toList();
    }

    /**
     * Deletes an entry only if its ModifyIndex is {@code cas}: Consul's {@code DELETE /v1/config/:kind/:name?cas=}.
     *
     * @return whether it was deleted (false also when there is no entry)
     */
    public boolean deleteIfModifyIndex(String partition, String kind, String name, long cas) {
        try {
            dynamoDb.deleteItem(r -> r.tableName(table).key(TableKeys.key(partitionKey(partition), kind + "#" + name))
                    .conditionExpression("modifyIndex = :cas")
                    .expressionAttributeValues(Map.of(":cas", n(cas))));
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
        index.nextAfterWrite();
        return true;
    }

    /** Deletes an entry; nothing when there is none. */
    public void delete(String partition, String kind, String name) {
        dynamoDb.deleteItem(r -> r.tableName(table).key(TableKeys.key(partitionKey(partition), kind + "#" + name)));
        index.nextAfterWrite();
    }

    private static Map<String, Object> entry(Map<String, AttributeValue> item) {
        try {
            Map<String, Object> entry = new LinkedHashMap<>(JSON.readValue(Attributes.string(item, "entry"), ENTRY));
            entry.put("CreateIndex", Attributes.number(item, "createIndex"));
            entry.put("ModifyIndex", Attributes.number(item, "modifyIndex"));
            return entry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The config partition a stream record's key belongs to, when it is an exported-services entry; else null. */
    public static String exportedServicesPartition(String pk, String sk) {
        if (pk == null || sk == null || !pk.startsWith(partitionKey("")) || !sk.startsWith(EXPORTED_SERVICES_PREFIX)) {
            return null;
        }
        return pk.substring(partitionKey("").length());
    }
}
