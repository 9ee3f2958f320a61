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
    private static volatile List<SdkRequest> recording;

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        List<SdkRequest> open = recording;
        if (open != null) {
            synchronized (open) {
                open.add(context.request());
            }
        }
    }

    /**
     * Runs an action and returns the requests sent meanwhile by any client of this JVM, in order.
     *
     * @param action what to record; its result is dropped
     */
    public static synchronized List<SdkRequest> record(Supplier<?> action) {
        List<SdkRequest> calls = new ArrayList<>();
        recording = calls;
        try {
            action.get();
        } finally {
            recording = null;
        }
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }
}
