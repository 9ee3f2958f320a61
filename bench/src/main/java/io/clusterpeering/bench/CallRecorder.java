package io.clusterpeering.bench;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Records the SDK requests every client of the driver's JVM sends while a recording is open: registered as a
 * global execution interceptor ({@code software/amazon/awssdk/global/handlers/execution.interceptors}), so it sees
 * the calls of the functions' own clients without touching their code. Outside a recording it does nothing.
 */
public final class CallRecorder implements ExecutionInterceptor {
    private static final java.util.Set<String> STREAM_READS = java.util.Set.of("DescribeStreamRequest",
            "GetShardIteratorRequest", "GetRecordsRequest", "ListStreamsRequest", "DescribeTableRequest");
    private static volatile List<SdkRequest> recording;
    private static volatile Thread only;

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        List<SdkRequest> open = recording;
        Thread thread = only;
        if (open != null && (thread == null || thread == Thread.currentThread())
                && !STREAM_READS.contains(context.request().getClass().getSimpleName())) {
            synchronized (open) {
                open.add(context.request());
            }
        }
    }

    /**
     * Runs an action and returns the requests this thread sent meanwhile, in order (a function answers on the
     * caller's thread; the local clusters' stream pollers and servers run on others).
     *
     * @param action what to record; its result is dropped
     */
    public static List<SdkRequest> record(Supplier<?> action) {
        return record(action, Thread.currentThread());
    }

    /**
     * As {@link #record(Supplier)}, from every thread (both sides of a call between two local clusters), without
     * the local stream pollers' reads.
     */
    public static List<SdkRequest> recordAll(Supplier<?> action) {
        return record(action, null);
    }

    private static synchronized List<SdkRequest> record(Supplier<?> action, Thread thread) {
        List<SdkRequest> calls = new ArrayList<>();
        only = thread;
        recording = calls;
        try {
            action.get();
        } finally {
            recording = null;
            only = null;
        }
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }
}
