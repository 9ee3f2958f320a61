package io.clusterpeering.support;

import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Counts the DynamoDB calls a cluster's one client makes, for tests that hold a request's cost constant: an AWS SDK
 * {@link ExecutionInterceptor} the production {@code DynamoDbFactory} adds to the real client when it is a bean
 * (only with {@code peering.test.call-counting=true}). Each finished call is kept with its operation, the thread
 * that made it, the items it read (a query's or a batch's answer) and the items it wrote (a transaction's items).
 */
@Singleton
@Requires(property = "peering.test.call-counting", value = "true")
public class DynamoDbCalls implements ExecutionInterceptor {

    /**
     * One finished DynamoDB call.
     *
     * @param operation    the SDK operation name, as {@code TransactWriteItems}
     * @param thread       the name of the thread that made it
     * @param itemsRead    items the answer held (0 for writes)
     * @param itemsWritten items a transaction named (its condition checks included), 1 for a single-item write
     */
    public record Call(String operation, String thread, int itemsRead, int itemsWritten, long nanos) {
    }

    private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<Long> STARTED =
            new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("DynamoDbCalls.started");

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        attributes.putAttribute(STARTED, System.nanoTime());
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        calls.add(new Call(operation, Thread.currentThread().getName(), read(context.response()),
                written(operation, context.request()), System.nanoTime() - attributes.getAttribute(STARTED)));
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        calls.add(new Call(operation + "!", Thread.currentThread().getName(), 0,
                written(operation, context.request()), System.nanoTime() - attributes.getAttribute(STARTED)));
    }

    private static int read(SdkResponse response) {
        return switch (response) {
            case QueryResponse q -> q.count();
            case ScanResponse s -> s.count();
            case GetItemResponse g -> g.hasItem() ? 1 : 0;
            case BatchGetItemResponse b -> b.responses().values().stream().mapToInt(List::size).sum();
            case TransactGetItemsResponse t -> t.responses().size();
            default -> 0;
        };
    }

    private static int written(String operation, Object request) {
        if (request instanceof TransactWriteItemsRequest t) {
            return t.transactItems().size();
        }
        return switch (operation) {
            case "PutItem", "UpdateItem", "DeleteItem" -> 1;
            default -> 0;
        };
    }

    /** Forgets every call counted so far. */
    public void clear() {
        calls.clear();
    }

    /** The calls counted since the last {@link #clear}, of threads the filter accepts. */
    public List<Call> calls(Predicate<String> threads) {
        return calls.stream().filter(c -> threads.test(c.thread())).toList();
    }

    /** Calls per operation, of threads the filter accepts, sorted by operation. */
    public static Map<String, Integer> byOperation(List<Call> calls) {
        Map<String, Integer> counts = new TreeMap<>();
        calls.forEach(c -> counts.merge(c.operation(), 1, Integer::sum));
        return counts;
    }
}
