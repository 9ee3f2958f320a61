package io.clusterpeering.function;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration in Lambda, made in code: one JSON object per line on standard output (Logback's
 * {@link JsonEncoder}; the MDC carries {@code AWSRequestId}), root level INFO. Selected by the system property
 * {@value #FORMAT_PROPERTY}{@code =json}, which the stack puts in the functions' {@code JAVA_TOOL_OPTIONS}; without
 * it, Logback goes on to {@code logback.xml} (local runs and tests: one readable line per event). Logback finds this
 * class through {@code META-INF/services} before it looks for any XML file, so a function's cold start never loads
 * Logback's XML configurator (Joran) and the JDK's XML parser: about 350 classes less.
 */
public class LambdaLogConfigurator extends ContextAwareBase implements Configurator {
    /** The system property that selects JSON lines ({@code json}); anything else leaves the XML configuration. */
    public static final String FORMAT_PROPERTY = "peering.log.format";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!"json".equals(System.getProperty(FORMAT_PROPERTY))) {
            return ExecutionStatus.NEUTRAL;
        }
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("STDOUT");
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
