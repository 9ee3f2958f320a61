package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.Context;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.function.aws.DefaultLambdaContextFactory;
import io.micronaut.function.aws.LambdaContextFactory;
import jakarta.inject.Singleton;

import java.util.Optional;

/**
 * Keeps Lambda's per-invocation {@link Context} out of the application context. Micronaut's Lambda support
 * ({@code HandlerUtils.configureWithContext}, called by every entry point on every invocation) hands the invocation's
 * Context to the {@link LambdaContextFactory} bean, whose default registers it, its client context, identity and
 * logger as new singletons: one more bean definition per invocation that is never removed, so in a warm instance
 * each invocation's lookup walks all the earlier ones and its cost grows with the number of invocations served
 * (about 1 ms after 2,000 invocations and 3 ms after 8,000 on a 2-core machine), and so does memory. No bean of ours
 * injects Lambda's Context (the request ID reaches the logs through the MDC, see {@link ConsulHttpFunction}), so
 * this replacement registers nothing as a bean; it keeps the invocation's Context for the thread that serves it
 * ({@link #current()}: the stream handler asks it how much time is left). The MDC values Micronaut's {@code DiagnosticInfoPopulator} sets (Lambda's
 * request ID, the function's name and version, the X-Ray trace) are untouched.
 */
@Singleton
@Replaces(DefaultLambdaContextFactory.class)
public class LambdaContextSingletons implements LambdaContextFactory {
    /**
     * The Context of the invocation this thread serves through this application context (Lambda's runtime serves
     * every invocation on one thread, and each one hands its Context over first). Per application context, not per
     * JVM: a thread that served another function's invocation (a test calling several handlers) leaves nothing here.
     */
    private final ThreadLocal<Context> current = new ThreadLocal<>();

    /** Registers no bean (see the class comment); keeps the Context for {@link #current()}. */
    @Override
    public void registerSingletons(Context context) {
        current.set(context);
    }

    /**
     * The Lambda Context of the invocation the calling thread serves through this application context; empty on a
     * thread that never served one through it (the local stream poller, a test calling a handler's
     * {@code execute}).
     */
    public Optional<Context> current() {
        return Optional.ofNullable(current.get());
    }
}
