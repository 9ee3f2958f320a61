package io.clusterpeering.bench;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Records the DynamoDB calls of the driver's JVM, with the capacity each consumed, while a recording is open: a
 * global execution interceptor (listed beside {@link CallRecorder}) that asks every DynamoDB data call of an open
 * recording for {@code ReturnConsumedCapacity=TOTAL} and reads the units from the answer. On demand, DynamoDB bills
 * those units as read and write request units (RRU, WRU). A conditional write that fails answers no capacity; AWS
 * still bills it, so it is counted as one WRU (an item under 1 KB). Outside a recording it does nothing.
 */
public final class CapacityRecorder implements ExecutionInterceptor {
    private static volatile List<Call> recording;
    private static volatile Thread owner;

    /**
     * One DynamoDB call.
     *
     * @param operation  the request's name without {@code Request}, for example {@code UpdateItem}
     * @param write      whether DynamoDB bills it as a write (WRU) rather than a read (RRU)
     * @param units      the capacity units it consumed (as the engine answered; 1 for a failed conditional write;
     *                   NaN when the engine answered none)
     * @param table      the table it consumed capacity on, or null when not known
     * @param ownThread  whether the recording's own thread sent it (the step itself, not the peer answering it)
     */
    public record Call(String operation, boolean write, double units, String table, boolean ownThread) {
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        if (recording == null) {
            return context.request();
        }
        ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
        return switch (context.request()) {
            case GetItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case PutItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case UpdateItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case DeleteItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case QueryRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case ScanRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case BatchGetItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case BatchWriteItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case TransactGetItemsRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case TransactWriteItemsRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            default -> context.request();
        };
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        List<Call> open = recording;
        if (open == null || !isData(context.request())) {
            return;
        }
        double units = Double.NaN;
        String table = context.request().getValueForField("TableName", String.class).orElse(null);
        Object consumed = context.response().getValueForField("ConsumedCapacity", Object.class).orElse(null);
        List<?> parts = consumed instanceof List<?> list ? list : consumed == null ? List.of() : List.of(consumed);
        for (Object part : parts) {
            if (part instanceof ConsumedCapacity capacity && capacity.capacityUnits() != null) {
                units = (Double.isNaN(units) ? 0 : units) + capacity.capacityUnits();
                table = table == null ? capacity.tableName() : table;
            }
        }
        add(open, context.request(), units, table);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        List<Call> open = recording;
        if (open != null && context.exception() instanceof ConditionalCheckFailedException && isData(context.request())) {
            add(open, context.request(), 1, context.request().getValueForField("TableName", String.class).orElse(null));
        }
    }

    private static boolean isData(SdkRequest request) {
        return request instanceof software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest
                && !request.getClass().getSimpleName().startsWith("Describe")
                && !request.getClass().getSimpleName().startsWith("List")
                && !request.getClass().getSimpleName().endsWith("TableRequest");
    }

    private static void add(List<Call> open, SdkRequest request, double units, String table) {
        String operation = request.getClass().getSimpleName().replaceFirst("Request$", "");
        boolean write = operation.startsWith("Put") || operation.startsWith("Update") || operation.startsWith("Delete")
                || operation.equals("BatchWriteItem") || operation.equals("TransactWriteItems");
        synchronized (open) {
            open.add(new Call(operation, write, units, table, Thread.currentThread() == owner));
        }
    }

    /**
     * Runs an action and returns the DynamoDB data calls every thread sent meanwhile (each marked with whether the
     * caller's thread sent it), in order. One recording at a time.
     *
     * @param action what to record; its result is dropped
     */
    public static synchronized List<Call> record(Supplier<?> action) {
        List<Call> calls = new ArrayList<>();
        owner = Thread.currentThread();
        recording = calls;
        try {
            action.get();
        } finally {
            recording = null;
            owner = null;
        }
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }
}
