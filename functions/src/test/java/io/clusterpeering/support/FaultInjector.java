package io.clusterpeering.support;

import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * DynamoDB faults on demand, for the tests: an AWS SDK {@link ExecutionInterceptor} that the production
 * {@code DynamoDbFactory} adds to the client when it is a bean, which it is only with
 * {@code peering.test.fault-injection=true}. Each {@link Rule} names an operation ({@code UpdateItem},
 * {@code TransactWriteItems}, ...), optionally a key prefix that one of the request's {@code pk} values (or, for a
 * Query, one of its expression values) must start with and a thread filter, the {@link Fault} and how many times.
 * The fault is thrown from {@code beforeTransmission}, which runs inside the SDK's retry loop for each attempt: a
 * retryable fault is met by the client's own retry strategy, exactly as one that came back from DynamoDB would be.
 * Every attempt is counted per operation, so a test can see the retries happen.
 */
@Singleton
@Requires(property = "peering.test.fault-injection", value = "true")
public class FaultInjector implements ExecutionInterceptor {

    /** What a rule makes DynamoDB do. */
    public enum Fault {
        /** 400 ThrottlingException: retryable. */
        THROTTLING,
        /** 400 ProvisionedThroughputExceededException: retryable. */
        PROVISIONED_THROUGHPUT,
        /** 500 InternalServerError: retryable. */
        INTERNAL_SERVER_ERROR,
        /** The attempt timed out on the client ({@link ApiCallAttemptTimeoutException}). */
        ATTEMPT_TIMEOUT,
        /** A transaction cancelled by a conflicting one (reason {@code TransactionConflict}): a race. */
        TRANSACTION_CONFLICT,
        /** A condition that failed because another writer got there first, without the old item: a race. */
        CONDITIONAL_CHECK_FAILED
    }

    /**
     * One fault to inject.
     *
     * @param operation the SDK operation name, as {@code UpdateItem}
     * @param keyPrefix a prefix of a {@code pk} the request touches, or null for any
     * @param threads   which threads it applies to (by name)
     * @param fault     what to throw
     * @param skip      how many more matching attempts to let through first (to fail the k-th call)
     * @param remaining how many more times
     * @param injected  how many times it was thrown
     * @param keys      the partition keys of the requests it failed
     */
    public record Rule(String operation, String keyPrefix, Predicate<String> threads, Fault fault,
                       AtomicInteger skip, AtomicInteger remaining, AtomicInteger injected, List<String> keys) {
    }

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private volatile Predicate<String> counted = thread -> true;
    private final ThreadLocal<Boolean> bypassed = ThreadLocal.withInitial(() -> false);

    /** Runs an action on this thread with no fault injected and nothing counted (the tests' own reads). */
    public void bypass(Runnable action) {
        bypassed.set(true);
        try {
            action.run();
        } finally {
            bypassed.set(false);
        }
    }

    /** Injects a fault the next {@code times} matching attempts, on any thread. */
    public Rule inject(String operation, String keyPrefix, Fault fault, int times) {
        return inject(operation, keyPrefix, thread -> true, fault, times);
    }

    /** Injects a fault the next {@code times} matching attempts made on a thread whose name passes the filter. */
    public Rule inject(String operation, String keyPrefix, Predicate<String> threads, Fault fault, int times) {
        return inject(operation, keyPrefix, threads, fault, 0, times);
    }

    /** Lets {@code skip} matching attempts through, then injects the fault the next {@code times} ones. */
    public Rule inject(String operation, String keyPrefix, Predicate<String> threads, Fault fault, int skip, int times) {
        Rule rule = new Rule(operation, keyPrefix, threads, fault, new AtomicInteger(skip), new AtomicInteger(times),
                new AtomicInteger(), new CopyOnWriteArrayList<>());
        rules.add(rule);
        return rule;
    }

    /** Counts from now on only the attempts made on threads whose name passes the filter. */
    public void countOn(Predicate<String> threads) {
        counted = threads;
    }

    /** The attempts per operation since the last {@link #clear()}. */
    public Map<String, Integer> attempts() {
        Map<String, Integer> copy = new java.util.TreeMap<>();
        attempts.forEach((operation, count) -> copy.put(operation, count.get()));
        return copy;
    }

    /** Drops every rule and the attempt counts. */
    public void clear() {
        rules.clear();
        attempts.clear();
    }

    /** How many attempts of the operation were made since the last {@link #clear()} (injected ones included). */
    public int attempts(String operation) {
        AtomicInteger count = attempts.get(operation);
        return count == null ? 0 : count.get();
    }

    /** How many faults all rules threw since the last {@link #clear()}. */
    public int injected() {
        return rules.stream().mapToInt(rule -> rule.injected().get()).sum();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes executionAttributes) {
        String operation = executionAttributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        String thread = Thread.currentThread().getName();
        if (bypassed.get()) {
            return;
        }
        if (counted.test(thread)) {
            attempts.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
        }
        for (Rule rule : rules) {
            if (rule.operation().equals(operation) && rule.threads().test(thread)
                    && (rule.keyPrefix() == null || keysOf(context.request()).anyMatch(k -> k.startsWith(rule.keyPrefix())))
                    && rule.skip().getAndUpdate(n -> Math.max(0, n - 1)) == 0
                    && rule.remaining().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                rule.injected().incrementAndGet();
                keysOf(context.request()).forEach(rule.keys()::add);
                throw exception(rule.fault(), operation);
            }
        }
    }

    private static RuntimeException exception(Fault fault, String operation) {
        return switch (fault) {
            case THROTTLING -> DynamoDbException.builder().statusCode(400)
                    .message("Rate of requests exceeds the allowed throughput. (injected)")
                    .awsErrorDetails(details("ThrottlingException", "Rate of requests exceeds the allowed throughput.")).build();
            case PROVISIONED_THROUGHPUT -> ProvisionedThroughputExceededException.builder().statusCode(400)
                    .message("The level of configured provisioned throughput for the table was exceeded. (injected)")
                    .awsErrorDetails(details("ProvisionedThroughputExceededException",
                            "The level of configured provisioned throughput for the table was exceeded.")).build();
            case INTERNAL_SERVER_ERROR -> InternalServerErrorException.builder().statusCode(500)
                    .message("Internal server error (injected)")
                    .awsErrorDetails(details("InternalServerError", "Internal server error")).build();
            case ATTEMPT_TIMEOUT -> ApiCallAttemptTimeoutException.create(10_000);
            case TRANSACTION_CONFLICT -> TransactionCanceledException.builder().statusCode(400)
                    .message("Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict] (injected)")
                    .cancellationReasons(List.of(CancellationReason.builder().code("TransactionConflict")
                            .message("Transaction is ongoing for the item").build()))
                    .awsErrorDetails(details("TransactionCanceledException", "Transaction cancelled")).build();
            case CONDITIONAL_CHECK_FAILED -> "TransactWriteItems".equals(operation)
                    ? TransactionCanceledException.builder().statusCode(400)
                    .message("Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed] (injected)")
                    .cancellationReasons(List.of(CancellationReason.builder().code("ConditionalCheckFailed")
                            .message("The conditional request failed").build()))
                    .awsErrorDetails(details("TransactionCanceledException", "Transaction cancelled")).build()
                    : ConditionalCheckFailedException.builder().statusCode(400)
                    .message("The conditional request failed (injected)")
                    .awsErrorDetails(details("ConditionalCheckFailedException", "The conditional request failed")).build();
        };
    }

    private static AwsErrorDetails details(String code, String message) {
        return AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("DynamoDb").build();
    }

    /** The partition keys a request touches (for a Query: its expression values). */
    static Stream<String> keysOf(SdkRequest request) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        if (request instanceof GetItemRequest r) {
            keys.add(r.key());
        } else if (request instanceof PutItemRequest r) {
            keys.add(r.item());
        } else if (request instanceof UpdateItemRequest r) {
            keys.add(r.key());
        } else if (request instanceof DeleteItemRequest r) {
            keys.add(r.key());
        } else if (request instanceof TransactWriteItemsRequest r) {
            for (TransactWriteItem item : r.transactItems()) {
                if (item.put() != null) {
                    keys.add(item.put().item());
                }
                if (item.update() != null) {
                    keys.add(item.update().key());
                }
                if (item.delete() != null) {
                    keys.add(item.delete().key());
                }
                if (item.conditionCheck() != null) {
                    keys.add(item.conditionCheck().key());
                }
            }
        } else if (request instanceof BatchWriteItemRequest r) {
            for (List<WriteRequest> writes : r.requestItems().values()) {
                for (WriteRequest write : writes) {
                    keys.add(write.putRequest() != null ? write.putRequest().item() : write.deleteRequest().key());
                }
            }
        } else if (request instanceof BatchGetItemRequest r) {
            r.requestItems().values().forEach(k -> keys.addAll(k.keys()));
        } else if (request instanceof QueryRequest r) {
            return r.expressionAttributeValues().values().stream().map(AttributeValue::s).filter(s -> s != null);
        }
        return keys.stream().map(k -> k.get("pk")).filter(v -> v != null && v.s() != null).map(AttributeValue::s);
    }
}
